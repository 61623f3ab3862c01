/** Tag of the element Earshot adds to a row (its content lives in a closed shadow root). */
export const ICON_TAG = 'earshot-monitor-icon';

const ICON_CSS = `
:host { display: inline-flex; vertical-align: middle; margin-inline-start: 6px; }
:host([hidden]) { display: none; }
button { all: unset; box-sizing: border-box; cursor: pointer; width: 26px; height: 26px; border-radius: 50%;
  display: inline-flex; align-items: center; justify-content: center; color: #0b57d0; background: #e8f0fe;
  opacity: 0; transition: opacity 120ms; }
:host([data-hover]) button, button:focus-visible { opacity: 1; }
button:focus-visible { outline: 2px solid #0b57d0; outline-offset: 2px; }
button:hover { background: #d3e3fd; }
@media (prefers-color-scheme: dark) { button { color: #a8c7fa; background: #1f3760; } button:hover { background: #284a80; } }
svg { width: 16px; height: 16px; fill: currentColor; }
`;
const SPEAKER_SVG_PATH = 'M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z';

/** Earshot's icon on a row: a button with the speaker, in a closed shadow root, sharing one stylesheet. */
export class IconView {
  /** The shared icon stylesheet; null when adopting stylesheets is not possible here. */
  private sheet: CSSStyleSheet | null | undefined;

  constructor(private readonly doc: Document) {}

  create(): { host: HTMLElement; button: HTMLButtonElement } {
    const { doc } = this;
    const host = doc.createElement(ICON_TAG);
    const shadow = host.attachShadow({ mode: 'closed' });
    const button = doc.createElement('button');
    button.type = 'button';
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', SPEAKER_SVG_PATH);
    svg.append(path);
    button.append(svg);
    this.style(shadow);
    shadow.append(button);
    return { host, button };
  }

  /**
   * One constructed stylesheet shared by every icon (parsing the CSS once
   * per row costs more than everything else together); a <style> per root
   * where adopting is refused (Firefox content-script wrappers).
   */
  private style(shadow: ShadowRoot): void {
    if (this.sheet === undefined) {
      try {
        const Sheet = this.doc.defaultView?.CSSStyleSheet ?? CSSStyleSheet;
        const sheet = new Sheet();
        sheet.replaceSync(ICON_CSS);
        shadow.adoptedStyleSheets = [sheet];
        this.sheet = sheet;
        return;
      } catch {
        this.sheet = null;
      }
    }
    if (this.sheet) {
      shadow.adoptedStyleSheets = [this.sheet];
      return;
    }
    const style = this.doc.createElement('style');
    style.textContent = ICON_CSS;
    shadow.append(style);
  }
}
