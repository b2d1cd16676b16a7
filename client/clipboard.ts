// Copying text for the user: the Clipboard API where the page may use it, a hidden text area otherwise (pages
// served over plain http on a network address), and a short confirmation on the button and for screen readers.

/** Where "Copied" is announced to assistive technology: a polite live region of the page. */
let announcer: HTMLElement | null = null;

/** Sets the live region that announces copies (`#announcer` of the page). */
export function setAnnouncer(element: HTMLElement): void {
  announcer = element;
}

/** Says `message` to screen readers without moving focus. */
export function announce(message: string): void {
  if (announcer === null) return;
  // Cleared first, so the same words said twice are announced twice.
  announcer.textContent = '';
  requestAnimationFrame(() => {
    if (announcer !== null) announcer.textContent = message;
  });
}

/** Puts `text` on the clipboard. @throws Error when neither way of copying is allowed. */
export async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard !== undefined) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  area.select();
  try {
    if (!document.execCommand('copy')) throw new Error('the browser refused to copy');
  } finally {
    area.remove();
    focused?.focus();
  }
}

const CONFIRM_MS = 2_000;

/** Copies `text` when `button` is pressed, then says so on the button for a moment and to screen readers. */
export function copyOnClick(button: HTMLButtonElement, text: () => string, options: { done: string }): void {
  const label = button.textContent ?? '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  button.addEventListener('click', () => {
    copyText(text()).then(
      () => {
        button.textContent = 'Copied';
        button.dataset.copied = 'true';
        announce(options.done);
      },
      () => {
        button.textContent = 'Copy failed';
        announce('The browser did not allow copying.');
      },
    );
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = label;
      delete button.dataset.copied;
    }, CONFIRM_MS);
  });
}
