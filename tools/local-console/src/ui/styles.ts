/** The console's stylesheet (inlined: the console loads nothing from the network). */
export const STYLES = `
:root { font: 14px/1.45 system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 20px; padding: 8px 16px; background: #1d2330; color: #fff; }
header h1 { font-size: 15px; margin: 0; font-weight: 600; }
nav a { color: #c9d1e0; text-decoration: none; padding: 6px 10px; border-radius: 4px; }
nav a.active { background: #3a4660; color: #fff; }
main { padding: 16px; }
.cols { display: grid; grid-template-columns: minmax(320px, 40%) 1fr; gap: 16px; align-items: start; }
.panel { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px; overflow: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f4; font-size: 13px; vertical-align: top; }
th { color: #5b6478; font-weight: 600; }
tr.selectable { cursor: pointer; }
tr.selectable:hover, tr.selected { background: #eef3ff; }
code, .id { font-family: ui-monospace, monospace; font-size: 12px; }
input[type=search] { width: 100%; box-sizing: border-box; padding: 6px 8px; font-size: 14px; border: 1px solid #c4cad6; border-radius: 4px; }
button { padding: 4px 10px; border: 1px solid #8893a8; background: #fff; border-radius: 4px; cursor: pointer; font-size: 13px; }
button.primary { background: #2955d9; border-color: #2955d9; color: #fff; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e3e7ee; }
.badge.ok, .badge.applied, .badge.consumed { background: #d4f1dc; color: #135c2a; }
.badge.duplicate, .badge.retry, .badge.redriven { background: #fdf0c8; color: #6b5100; }
.badge.failed, .badge.rejected, .badge.dead-lettered, .badge.ALARM { background: #fadcdc; color: #8a1c1c; }
.timeline { list-style: none; margin: 0; padding: 0; }
.timeline li { display: grid; grid-template-columns: 90px 110px 1fr; gap: 8px; padding: 6px 0; border-bottom: 1px solid #eef0f4; }
.timeline .step { font-weight: 600; color: #46516a; }
.muted { color: #6b7486; font-size: 12px; }
pre { background: #f1f3f7; padding: 8px; border-radius: 4px; overflow: auto; max-height: 360px; font-size: 12px; }
.pager { display: flex; gap: 8px; align-items: center; margin-top: 8px; }
.error { color: #8a1c1c; }
svg text { font-size: 12px; }
.added { color: #135c2a; } .removed { color: #8a1c1c; } .changed { color: #6b5100; }
`;
