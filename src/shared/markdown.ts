/** Markdown for hovers: text from models and files escaped, so nothing in it is read as markup. */

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/** `text` as inline code (a backquote inside becomes a quote). */
export function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
