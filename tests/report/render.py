"""The report as headless Chromium lays it out: page height, where the answer and the failing
checks sit, elements wider than the window, text contrast (WCAG), and the characters no
installed font covers (tofu). A probe script is added to a copy of the page; Chromium prints the
DOM once the page has loaded (--dump-dom), the probe's findings in it as JSON."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from html import unescape
from pathlib import Path
from typing import Any

from tests.words import EMOJI

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

PROBE = r"""
<script>
window.addEventListener('load', () => {
  const vw = document.documentElement.clientWidth;
  const out = {width: vw, height: document.documentElement.scrollHeight,
               scrollWidth: document.documentElement.scrollWidth, wide: [], contrast: [],
               top: {}, text: ''};
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['hidden', 'scroll', 'auto', 'clip'].includes(s.overflowX)) return true;
    }
    return false;
  };
  const rgba = (text) => {
    const m = text.match(/[\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let p = el; p; p = p.parentElement) {
      const c = rgba(getComputedStyle(p).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.id === 'burnin-probe') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible') continue;
    if ((r.right > vw + 1 || r.left < -1) && !clipped(el)) {
      out.wide.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own.length) continue;
    const fg = rgba(style.color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    if (ratio < (large ? 3 : 4.5)) {
      out.contrast.push(`${ratio.toFixed(2)} ${style.color} on ${JSON.stringify(bg)}: ` +
                        own[0].textContent.trim().slice(0, 60));
    }
  }
  const place = (selector) => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};
  };
  for (const selector of ['#burnin-overall', '#burnin-decision', '#burnin-headline',
                          '#burnin-not-passed', '#results-table']) {
    out.top[selector] = place(selector);
  }
  out.failing = [...document.querySelectorAll('#burnin-not-passed tr[data-band]')].map(
    (tr) => ({band: tr.dataset.band, bottom: tr.getBoundingClientRect().bottom + window.scrollY,
              text: tr.querySelector('td').textContent}));
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('script, style, template, #burnin-probe').forEach((n) => n.remove());
  out.text = clone.textContent;
  const pre = document.createElement('pre');
  pre.id = 'burnin-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    profile.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(page: Path, width: int, height: int, work: Path) -> dict[str, Any]:
    """What Chromium lays out of `page` in a window of width x height."""
    probed = work / f"probe-{width}-{page.name}"
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    done = chromium(
        f"--window-size={width},{height}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        probed.as_uri(),
        profile=work / "profile",
    )
    found = re.search(r'<pre id="burnin-probe">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, done.stderr[-3000:]
    return json.loads(unescape(found.group(1)))


def screenshot(page: Path, shot: Path, width: int, height: int, work: Path) -> str:
    """A PNG of the window's first `height` pixels; returns Chromium's stderr (its console)."""
    done = chromium(
        f"--window-size={width},{height}",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={shot}",
        page.as_uri(),
        profile=work / "profile",
    )
    return done.stderr


@cache
def covered() -> tuple[tuple[int, int], ...]:
    """The code points the installed fonts cover (fontconfig's charsets), as ranges."""
    listing = subprocess.run(
        ["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, check=True
    ).stdout
    ranges = set()
    for part in listing.split():
        low, _, high = part.partition("-")
        ranges.add((int(low, 16), int(high or low, 16)))
    return tuple(sorted(ranges))


def tofu(text: str) -> list[str]:
    """Characters of `text` that no installed font has, and any emoji (a font may lack them)."""
    ranges = covered()
    missing = set(EMOJI.findall(text))
    for char in set(text):
        code = ord(char)
        if char.isspace() or code < 0x20:
            continue
        if not any(low <= code <= high for low, high in ranges):
            missing.add(char)
    return sorted(f"U+{ord(c):04X} {c!r}" for c in missing)
