"""A run's results as JUnit XML (for CI pipelines) and as one self-contained HTML file."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from maintctl.domain.checks import Result, Status, format_value

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left}th{background:#f4f4f4}.pass{color:#176317}.fail,.error,.timeout{color:#a21818;
font-weight:bold}.summary{font-size:1.2rem;margin:1rem 0}
"""


def junit(results: Sequence[Result], suite: str = "maintctl validate") -> str:
    """JUnit XML: one testcase per check, its group as the class; fail and error kept apart."""
    failures = sum(r.status is Status.FAIL for r in results)
    errors = sum(r.status in (Status.ERROR, Status.TIMEOUT) for r in results)
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        time=f"{max((r.duration_ms for r in results), default=0) / 1000:.3f}",
    )
    for r in results:
        case = ET.SubElement(
            root, "testcase", classname=r.group, name=r.name, time=f"{r.duration_ms / 1000:.3f}"
        )
        if r.status is Status.FAIL:
            ET.SubElement(case, "failure", message=r.message, type=r.kind).text = r.line()
        elif r.status is not Status.PASS:
            ET.SubElement(case, "error", message=r.message, type=r.status.value).text = r.line()
        ET.SubElement(case, "system-out").text = r.line()
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def page(results: Sequence[Result], generated: datetime, source: str) -> str:
    """One HTML file with no outside assets; every value escaped, since names and messages come
    from the config and from the targets' answers."""
    passed = all(r.passed for r in results)
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td{cls}>{html.escape(text)}</td>"
            for cls, text in (
                ("", r.name),
                ("", r.group),
                ("", r.kind),
                (f' class="{r.status.value}"', r.status.value),
                ("", format_value(r.observed, r.unit)),
                ("", f"{r.duration_ms} ms"),
                ("", r.message),
            )
        )
        + "</tr>"
        for r in results
    )
    counts = ", ".join(
        f"{sum(r.status is s for r in results)} {s.value}"
        for s in Status
        if any(r.status is s for r in results)
    )
    verdict = "All checks passed" if passed else "Validation failed"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Validation report</title><style>{_CSS}</style></head>
<body><h1>Validation report</h1>
<p>{html.escape(generated.strftime("%Y-%m-%dT%H:%M:%SZ"))} · config {html.escape(source)}</p>
<p class="summary {"pass" if passed else "fail"}">{verdict} ({html.escape(counts)})</p>
<table><thead><tr><th>Check</th><th>Group</th><th>Kind</th><th>Status</th><th>Observed</th>
<th>Duration</th><th>Message</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
