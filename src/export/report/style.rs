//! The page's colours and style sheet, shared by the map, the tables and the legend.

/// Colours by site status, shared by the map, the tables and the legend.
pub(super) const OWNED: &str = "#2563eb";
pub(super) const FRANCHISE: &str = "#ea580c";
pub(super) const CLOSED: &str = "#9ca3af";
pub(super) const HOSPITAL: &str = "#0f172a";
pub(super) const DEMAND: &str = "#8b5cf6";
pub(super) const UNSERVED: &str = "#dc2626";

/// The banner of [`super::Source::warning`], styled inline so that it shows whatever the CSS.
pub(super) const WARNING_STYLE: &str = "background:#fef2f2;border:3px solid #dc2626;color:#7f1d1d;\
    padding:12px 16px;margin:0 0 16px;font-weight:700";

/// The page's style sheet, inline so that the page needs nothing beside it.
pub(super) const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;padding:24px 28px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#0f172a;background:#eef2f7}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:16px}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:16px;margin:0 0 10px}
.sub{margin:0;color:#475569}
.muted{color:#64748b;font-weight:normal;font-size:13px}
.badge{font-weight:700;font-size:15px;padding:6px 14px;border-radius:999px;text-transform:uppercase;letter-spacing:.04em}
.pill{font-weight:600;padding:1px 9px;border-radius:999px}
.st-optimal{background:#dcfce7;color:#166534}
.st-feasible{background:#fef3c7;color:#92400e}
.st-infeasible,.st-no_solution{background:#fee2e2;color:#991b1b}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin-bottom:16px}
.kpi{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.k-label{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.k-value{font-size:22px;font-weight:700;margin:2px 0}
.k-note{color:#475569;font-size:12px}
.row{display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:16px;align-items:start;margin-bottom:16px}
.col{display:flex;flex-direction:column;gap:16px;min-width:0}
.card{background:#fff;border-radius:10px;padding:16px 18px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
section.card{margin-bottom:16px}
.mapsvg{display:block;border:1px solid #e2e8f0;border-radius:6px;width:100%;height:auto}
.chart{display:block;width:100%;height:auto}
.grid line{stroke:#e2e8f0;stroke-width:1}
.basemap path{fill:#eef2f6;stroke:#b6c2d1;stroke-width:.8;fill-rule:evenodd}
.scale path{fill:none;stroke:#334155;stroke-width:1.5}
.scale text{font-size:11px;fill:#334155;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}
.wkey b{font-weight:600;margin-right:2px}
.grid text{fill:#94a3b8;font-size:10px}
.pflows line{stroke:#8b5cf6;stroke-opacity:.35;stroke-linecap:round}
.bflows line{stroke-opacity:.75;stroke-linecap:round}
.demand circle{fill:#8b5cf6;fill-opacity:.45}
.hosp rect{fill:#0f172a;stroke:#fff;stroke-width:1}
.sites circle{stroke:#fff;stroke-width:1.5}
.sites circle.closed{fill:#fff;stroke:#9ca3af;stroke-width:1.5}
.labels line{stroke:#64748b;stroke-width:.8}
.labels text{font-size:11px;font-weight:600;fill:#0f172a;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:8px;font-size:12px;color:#334155}
.legend span{display:inline-flex;align-items:center;gap:4px}
.note{font-size:12px;color:#64748b;margin:6px 0 0}
.chart .lbl{font-size:12.5px;fill:#334155}
.chart .val{font-size:12px;fill:#0f172a}
.total{margin-top:6px;font-size:15px}
table{border-collapse:collapse;width:100%}
table.data th,table.data td{padding:5px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:middle}
table.data th{font-size:12px;color:#475569;text-transform:uppercase;letter-spacing:.04em;background:#f8fafc}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.closed td{color:#94a3b8}
td.closed{color:#94a3b8}
h3{font-size:14px;margin:16px 0 8px}
tr.sum th{text-align:right;font-weight:600;color:#334155}
tr.sum td,tr.sum th{border-top:2px solid #cbd5e1;border-bottom:none}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px}
.bar{display:inline-block;width:90px;height:8px;background:#e2e8f0;border-radius:4px;margin-right:8px;vertical-align:middle;overflow:hidden}
.bar div{height:100%}
.tag{font-size:11px;background:#e0e7ff;color:#3730a3;border-radius:4px;padding:0 5px;margin-left:4px}
table.kv th{text-align:left;font-weight:500;color:#475569;padding:3px 12px 3px 0;white-space:nowrap;vertical-align:top}
table.kv td{padding:3px 0;font-variant-numeric:tabular-nums}
table.kv caption{text-align:left;font-weight:700;padding:0 0 4px;font-family:ui-monospace,monospace}
.params{display:grid;grid-template-columns:repeat(4,1fr);gap:14px 22px;align-items:start}
.params table.kv th,.params table.kv td{font-family:ui-monospace,monospace;font-size:12.5px}
footer{color:#64748b;font-size:12px;margin-top:8px}
@media (max-width:1100px){.row{grid-template-columns:1fr}.kpis{grid-template-columns:repeat(3,1fr)}.params{grid-template-columns:repeat(2,1fr)}}
"#;
