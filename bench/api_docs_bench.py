"""How long /api/docs takes to draw in Debian's chromium, and what the spec costs to serve.

    python bench/api_docs_bench.py http://127.0.0.1:8000 [--runs 3]

Per run (a fresh browser context, cold cache): the spec's transfer size and its request's duration, the time
until Swagger UI has drawn the operations list (every tag section present and the page idle for 0.5 s), and
chromium's own CPU for the page (CDP ``Performance.getMetrics``: TaskDuration, ScriptDuration,
LayoutDuration). Then the spec fetched again with the ETag of the first answer (a revalidation). Prints the
load average beside the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import urllib.request

from playwright.sync_api import sync_playwright

DRAWN = """() => document.querySelectorAll('.opblock-tag-section').length > 0"""


def run(browser, base: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    t0 = time.perf_counter()
    page.goto(base + "/api/docs")
    page.wait_for_function(DRAWN, timeout=120_000)
    page.wait_for_load_state("networkidle")
    drawn = time.perf_counter() - t0
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    spec = page.evaluate("""() => performance.getEntriesByType('resource').filter(e => e.name.includes('openapi.json'))
        .map(e => ({size: e.transferSize, body: e.decodedBodySize, ms: e.duration}))[0]""")
    ops = page.evaluate("document.querySelectorAll('.opblock').length")
    tags = page.evaluate("document.querySelectorAll('.opblock-tag-section').length")
    context.close()
    return {"drawn_s": drawn, "task_s": metrics["TaskDuration"], "script_s": metrics["ScriptDuration"],
            "layout_s": metrics["LayoutDuration"], "spec": spec, "ops_drawn": ops, "tags": tags}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print("load before:", os.getloadavg())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        results = [run(browser, a.base) for _ in range(a.runs)]
        browser.close()
    for r in results:
        print(r)
    for key in ("drawn_s", "task_s", "script_s", "layout_s"):
        print(f"{key}: median {statistics.median(r[key] for r in results):.2f}")
    req = urllib.request.Request(a.base + "/api/openapi.json", headers={"Accept-Encoding": "gzip"})  # noqa: S310
    with urllib.request.urlopen(req) as first:  # noqa: S310 - the server under test
        etag = first.headers.get("ETag")
        print("spec:", first.headers.get("Content-Encoding") or "identity", len(first.read()), "bytes, ETag", etag)
    if etag:
        t = time.perf_counter()
        try:
            urllib.request.urlopen(urllib.request.Request(a.base + "/api/openapi.json",  # noqa: S310
                                                          headers={"If-None-Match": etag}))
        except urllib.error.HTTPError as exc:
            print(f"revalidation: {exc.code} in {(time.perf_counter() - t) * 1000:.0f} ms")
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
