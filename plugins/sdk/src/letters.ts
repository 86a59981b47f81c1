const STYLE = /<style\b[^>]*>[\s\S]*?<\/style\s*>/gi;
const LINKED_STYLE = /<link\b[^>]*rel=["']?stylesheet["']?[^>]*>/gi;

/**
 * A letter's HTML (a whole document, as the renderer makes it, or a fragment) as a declarative
 * shadow root, so its CSS stays inside: one letter's styles never reach another letter printed
 * in the same file, nor the page around a preview. Its head styles come along; `html` and `body`
 * selectors are pointed at wrappers standing in for them.
 */
export function letterShadowFragment(html: string): string {
  const head = /<head\b[^>]*>([\s\S]*?)<\/head\s*>/i.exec(html)?.[1] ?? '';
  const body = /<body\b[^>]*>([\s\S]*)<\/body\s*>/i.exec(html)?.[1] ?? html.replace(/<head\b[^>]*>[\s\S]*?<\/head\s*>/i, '').replace(/<\/?(html|!doctype)\b[^>]*>/gi, '');
  const styles = [...(head.match(STYLE) ?? []), ...(head.match(LINKED_STYLE) ?? [])].join('');
  const scoped = (fragment: string) =>
    fragment.replace(STYLE, (style) => style.replace(/(^|[\s,{}>+~])(html|body)(?![\w-])/g, (_, before, element) => `${before}.fc-${element}`));
  // A stray template end tag would close the shadow root's template early.
  const safe = (fragment: string) => fragment.replace(/<\/?template\b[^>]*>/gi, '');
  return `<template shadowrootmode="open"><style>:host{display:block}.fc-html,.fc-body{display:block;margin:0;padding:0}</style>${safe(scoped(styles))}<div class="fc-html"><div class="fc-body">${safe(scoped(body))}</div></div></template>`;
}
