// What loading a model reports as it reads or downloads its files, and how a terminal shows it. Kept apart from
// the transformers.js adapters so that showing progress does not load the model library.

/** One progress event of a model load; `loaded`/`total` are bytes (0 when not known yet). */
export interface ModelLoadProgress {
  /** File inside the model repository, e.g. `onnx/model_quantized.onnx`. */
  file: string;
  loaded: number;
  total: number;
  /** transformers.js status: `initiate`, `download`, `progress` or `done`. */
  status: string;
}

/** One-line description of a progress event for a CLI, e.g. `onnx/model_quantized.onnx 5.1/22.9 MB (22%)`. */
export function describeProgress(progress: ModelLoadProgress): string {
  if (progress.status === 'done') return `${progress.file} done`;
  if (progress.total <= 0) return `${progress.file} ${progress.status}`;
  const mb = (bytes: number): string => (bytes / 1_000_000).toFixed(1);
  const percent = Math.floor((100 * progress.loaded) / progress.total);
  return `${progress.file} ${mb(progress.loaded)}/${mb(progress.total)} MB (${percent}%)`;
}
