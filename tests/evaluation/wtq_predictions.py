"""Generated WTQ predictions: perturbations of real gold answers, for scorer tests.

`predictions(originals, canons, rng, others)` returns many predicted answer
lists for one question: copies, formatting changes (case, spaces, quotes,
dashes, accents, citations, parentheses, periods), number forms (commas,
decimals, exponents, signs, units, underscores), date forms (ISO, ``xx``
fields, written-out months), list changes (order, duplicates, dropped or added
items, joined or split at ", ") and wrong answers (other questions' golds).
Deterministic for a given ``rng`` seed.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Sequence

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DECOR = ("[1]", "[a]", " [citation needed]", "*", "\u2020", "\u2021", "#", "+", "\u2022",
          " (band)", " (2004)", " (ESP)", ".", "..", "\u00a0", "  ")


def _strip_accents(s: str) -> str:
  return "".join(c for c in unicodedata.normalize("NFKD", s) if unicodedata.category(c) != "Mn")


def _number_forms(s: str, canon: str | None, rng: random.Random) -> list[str]:
  """Other ways to write the number in ``s`` (or its canon)."""
  out = []
  src = canon if canon else s
  try:
    x = float(src)
  except ValueError:
    m = re.search(r"-?\d[\d,]*(\.\d+)?", s)
    if not m:
      return out
    try:
      x = float(m.group(0).replace(",", ""))
    except ValueError:
      return out
    out += [m.group(0), m.group(0).replace(",", "")]
  i = int(x) if x == int(x) else None
  out += [repr(x), f"{x:.2f}", f"{x:g}", f"{x:e}", f"{x + 1e-7!r}", f"{x + 1e-5!r}",
          f"{x * 10:g}", f"{-x:g}", f"+{x:g}", f" {x:g} ", f"{x:g}%", f"${x:g}",
          f"{x:g} years", f"{x:,}"]
  if i is not None:
    out += [str(i), f"{i:,}", f"{i:_}", str(i + 1), f"{i}.0", f"0{i}", f"{i}-xx-xx",
            f"{i}-01-01", "".join(chr(0xff10 + int(c)) if c.isdigit() else c
                                         for c in str(i))]  # full-width digits
  out.append(rng.choice(["nan", "inf", "-inf", "1e999", "0x10", "1_0", "١٢"]))
  return out


def _date_forms(canon: str) -> list[str]:
  parts = canon.split("-")
  if len(parts) != 3:
    return []
  y, m, d = parts
  out = [canon, canon.upper(), f"{y}-{m}-xx", f"xx-{m}-{d}", f"{y}-xx-xx", f"{y}"]
  try:
    mi, di = int(m), int(d)
  except ValueError:
    return out
  out += [f"{y}-{mi}-{di}", f"{y}-{mi:02d}-{di + 1:02d}", f"{y}-{mi}-{d}"]
  if 1 <= mi <= 12:
    name = _MONTHS[mi - 1]
    out += [f"{name} {di}, {y}", f"{di} {name} {y}", f"{name} {di} {y}", f"{name} {y}",
            f"{name[:3]} {di}, {y}"]
  return out


def _format_forms(s: str, rng: random.Random) -> list[str]:
  out = [s, s.lower(), s.upper(), s.title(), f"  {s} ", s.replace(" ", "  "),
         f'"{s}"', f"\u201c{s}\u201d", f"'{s}'", _strip_accents(s), s + ".", s.rstrip("."),
         s.replace("-", "\u2013"), s.replace("\u2013", "-"), s.replace("'", "\u2019"),
         s.replace(",", ""), s.replace(", ", ","), s[:-1], s + "s", f"({s})", f"the {s}",
         unicodedata.normalize("NFD", s), s.replace("-", "\u2212")]
  out += [s + rng.choice(_DECOR) for _ in range(3)]
  out.append(s + rng.choice(_DECOR) + rng.choice(_DECOR))
  return out


def predictions(originals: Sequence[str], canons: Sequence[str] | None,
                rng: random.Random, others: Sequence[Sequence[str]]) -> list[list[str]]:
  """Predicted answer lists for one question (see the module docstring)."""
  originals = list(originals)
  canons = list(canons) if canons is not None else [None] * len(originals)
  out: list[list[str]] = [list(originals), [], [""]]
  for k, (s, c) in enumerate(zip(originals, canons)):
    forms = _format_forms(s, rng) + _number_forms(s, c, rng)
    if c and re.match(r"^[\dx]{1,4}-[\dx]{2}-[\dx]{2}$", c, re.I):
      forms += _date_forms(c)
    if c and c != s:
      forms.append(c)
    for f in forms:
      out.append(originals[:k] + [f] + originals[k + 1:])
    if ", " in s:
      out.append(originals[:k] + s.split(", ") + originals[k + 1:])
  if len(originals) > 1:
    out += [originals[::-1], originals[:-1], originals + [originals[0]],
            [", ".join(originals)], originals[1:] + ["wrong"]]
    shuffled = list(originals)
    rng.shuffle(shuffled)
    out.append(shuffled)
  out += [originals + [originals[-1]], originals + ["extra"],
          [s.lower() for s in originals] + [originals[0].upper()]]
  for _ in range(3):
    out.append(list(rng.choice(others)))
  # Random character edits.
  for _ in range(4):
    s = list(rng.choice(originals))
    if s:
      pos = rng.randrange(len(s))
      op = rng.randrange(3)
      if op == 0:
        del s[pos]
      elif op == 1:
        s.insert(pos, rng.choice(" ,.-()[]0123456789x\u2013\u00e9\"'"))
      else:
        s[pos] = rng.choice("0123456789aeAE-")
    out.append(["".join(s)])
  return out
