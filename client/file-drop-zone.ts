// A drop zone with a file chooser: a file dropped on the zone or picked with its button (keyboard included)
// is handed over; files dropped elsewhere on the panel are caught so the browser does not navigate to them.

/** The elements and callback of a {@link FileDropZone}. */
export interface FileDropZoneOptions {
  /** The area files may be dropped on; gets `data-dragging` while a file is over it. */
  zone: HTMLElement;
  /** The (visually hidden) file input; its label or a button opens it. */
  input: HTMLInputElement;
  /** Where stray drops are swallowed, e.g. the whole panel. */
  catchArea: HTMLElement;
  /** Receives the chosen file; more than one file dropped hands over the first and says so. */
  onFile: (file: File, note: { extraFiles: number }) => void;
}

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/** Wires drag and drop and the file input. */
export class FileDropZone {
  readonly #options: FileDropZoneOptions;
  /** dragenter/dragleave fire for every child crossed; counting them tells when the pointer really left. */
  #depth = 0;

  constructor(options: FileDropZoneOptions) {
    this.#options = options;
    const { zone, input, catchArea } = options;
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      // Reset so choosing the same file again still fires 'change'.
      input.value = '';
      this.#hand(files);
    });
    zone.addEventListener('dragenter', (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.#depth += 1;
      zone.dataset.dragging = 'true';
    });
    zone.addEventListener('dragover', (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    });
    zone.addEventListener('dragleave', () => {
      this.#depth = Math.max(0, this.#depth - 1);
      if (this.#depth === 0) delete zone.dataset.dragging;
    });
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      this.#depth = 0;
      delete zone.dataset.dragging;
      this.#hand([...(event.dataTransfer?.files ?? [])]);
    });
    // A near miss outside the zone would otherwise open the file in the tab and lose the page.
    for (const type of ['dragover', 'drop'] as const) {
      catchArea.addEventListener(type, (event) => {
        if (carriesFiles(event) && !zone.contains(event.target as Node)) {
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
        }
      });
    }
  }

  /** Opens the system file chooser. */
  choose(): void {
    this.#options.input.click();
  }

  #hand(files: File[]): void {
    const [first] = files;
    if (first) this.#options.onFile(first, { extraFiles: files.length - 1 });
  }
}
