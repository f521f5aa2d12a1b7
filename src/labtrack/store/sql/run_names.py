"""Names for runs started without one, like MLflow's generated run names."""

from __future__ import annotations

_ADJECTIVES = (
    "amber",
    "bold",
    "brave",
    "bright",
    "calm",
    "clever",
    "crisp",
    "eager",
    "fancy",
    "gentle",
    "glad",
    "golden",
    "keen",
    "lively",
    "lucky",
    "merry",
    "nimble",
    "proud",
    "quick",
    "quiet",
    "rare",
    "rustic",
    "shy",
    "silver",
    "smart",
    "sunny",
    "swift",
    "tidy",
    "vast",
    "witty",
)
_NOUNS = (
    "badger",
    "bass",
    "bee",
    "crane",
    "deer",
    "dove",
    "eel",
    "falcon",
    "finch",
    "fox",
    "frog",
    "gull",
    "hare",
    "hawk",
    "heron",
    "ibis",
    "lark",
    "lynx",
    "mole",
    "moth",
    "newt",
    "otter",
    "owl",
    "panda",
    "robin",
    "seal",
    "shrew",
    "snail",
    "swan",
    "wren",
)


def generate_run_name() -> str:
    """A readable name for a run started without one (``brave-otter-417``)."""
    import random

    return f"{random.choice(_ADJECTIVES)}-{random.choice(_NOUNS)}-{random.randint(100, 999)}"
