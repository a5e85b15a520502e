/** Small HTML helpers for the offline report (no template engine: the page is a few tables and figures). */

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export const slugify = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Numbers as the paper prints them: errors in scientific notation, speeds and sizes plainly. */
export function fmt(v: number | null | undefined, kind: 'sci' | 'num' | 'int' | 'ratio' = 'num'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '';
  if (kind === 'sci') return v.toExponential(2).replace(/e([+-])(\d)$/, 'e$10$2').toUpperCase();
  if (kind === 'int') return Math.round(v).toLocaleString('en-US');
  if (kind === 'ratio') return `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v < 0.01 ? v.toExponential(1) : v.toPrecision(3)}×`; // 229×, not 2.3e+2×
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

export function table(head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export const STYLE = `
body{font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1400px;padding:0 16px;color:#1d1d1f}
h1{font-size:22px}h4{font-size:13px;margin:14px 0 2px}h2{font-size:18px;margin-top:36px;border-bottom:1px solid #ccc}h3{font-size:15px}
nav a{margin-right:12px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:12.5px}
th,td{border:1px solid #d6d6d6;padding:3px 6px;text-align:right;vertical-align:top}
td{white-space:nowrap}table.paper td:last-child,table.cells td{white-space:normal}
th{background:#f3f3f3;position:sticky;top:0}
td:first-child,th:first-child,td.l{text-align:left}
table.paper td:nth-child(-n+3),table.paper th:nth-child(-n+3),table.metrics td:nth-child(2),table.metrics th:nth-child(2){text-align:left}
td.fail,span.fail{color:#b00020;font-weight:bold}
td.paper,th.paper{background:#f7f9ff}
.charts{display:flex;flex-wrap:wrap;gap:18px}
figure.chart{margin:0;border:1px solid #e3e3e3;padding:6px}
figure.chart figcaption{font-size:11px;color:#666}
.note{color:#555;font-size:12px}
details{margin:8px 0}
`;
