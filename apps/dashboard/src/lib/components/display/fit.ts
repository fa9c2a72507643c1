import type { Attachment } from 'svelte/attachments';

/**
 * Shrinks an element's text, never grows it, until it fits its width on one line: a wall screen
 * cannot scroll, and a title cut off mid-word reads worse than a slightly smaller one. Pass the
 * text, so that the fit is made again when it changes (`{@attach fitWidth(title)}`).
 */
export function fitWidth(text: string): Attachment<HTMLElement> {
  return (node) => {
    void text;
    const fit = () => {
      node.style.fontSize = '';
      const ratio = node.clientWidth / node.scrollWidth;
      if (ratio < 1) node.style.fontSize = `${Math.floor(ratio * 100) - 1}%`;
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(node.parentElement ?? node);
    return () => ro.disconnect();
  };
}
