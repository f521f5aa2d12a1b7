"""Small helpers every layer may use: key and value rules, system tag names, the current user,
the GC pause. Nothing here imports anything of labtrack's but ``errors`` and ``entities``.
"""
