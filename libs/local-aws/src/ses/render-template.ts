/** A template's parts, as SES v2 `EmailTemplateContent`. */
export interface EmailTemplateContent {
  readonly Subject?: string;
  readonly Text?: string;
  readonly Html?: string;
}

/** The rendered parts, or the variable that had no value (SES's asynchronous "Rendering Failure"). */
export type RenderResult =
  | { readonly ok: true; readonly subject?: string; readonly text?: string; readonly html?: string }
  | { readonly ok: false; readonly reason: string };

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

function lookup(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Renders an SES template's `{{variable}}` and `{{object.field}}` tags (SES templates are Handlebars; this covers the
 * variable subset, not helpers or sections). In the HTML part `{{x}}` is HTML-escaped and `{{{x}}}` is not, as in
 * Handlebars. A tag whose variable the data lacks is a rendering failure, as SES reports it.
 * Hand-written: SES's renderer is not available offline, and the template subset used here needs no library.
 *
 * @example renderTemplate({ Subject: 'Hi {{name}}' }, { name: 'Ada' }) // { ok: true, subject: 'Hi Ada' }
 */
export function renderTemplate(template: EmailTemplateContent, data: unknown): RenderResult {
  let missing: string | undefined;
  const render = (part: string | undefined, escape: boolean): string | undefined =>
    part?.replace(/\{\{(\{?)\s*([\w.-]+)\s*\}?\}\}/g, (_tag, raw: string, path: string) => {
      const value = lookup(data, path);
      if (value === undefined) {
        missing ??= path;
        return '';
      }
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return escape && !raw ? text.replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c] ?? c) : text;
    });
  const subject = render(template.Subject, false);
  const text = render(template.Text, false);
  const html = render(template.Html, true);
  if (missing !== undefined)
    return { ok: false, reason: `Attribute '${missing}' is not present in the rendering data.` };
  return {
    ok: true,
    ...(subject !== undefined ? { subject } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
  };
}
