/**
 * What makes an artifact folder a model folder: the run page offers to
 * register it, the registry reads its input example and signature.
 */

/** The name of the file that makes a folder a model folder. */
export const MLMODEL = 'MLmodel';

/** Whether a folder listing holds an `MLmodel` file (a model folder). */
export function isModelFolder(
  files: ReadonlyArray<{ path: string; is_dir: boolean }>
): boolean {
  return files.some(
    f => !f.is_dir && (f.path.split('/').pop() ?? f.path) === MLMODEL
  );
}
