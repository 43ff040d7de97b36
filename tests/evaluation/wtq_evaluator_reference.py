"""Test-only reference: the official WikiTableQuestions evaluator, ported.

A line-by-line port (written for these tests) of ``evaluator.py`` v1.0.2 of
ppasupat/WikiTableQuestions, the scorer behind every published WTQ number. It
is Python 2 code; where Python 3 would behave differently the port keeps the
Python 2 behaviour:

* ``int()`` / ``float()`` of a string: Python 3 accepts ``_`` between digits
  (``'1_000'``), Python 2 does not: the port rejects ``_``.
* ``\\d`` in the citation pattern is ASCII (Python 2 without ``re.U``).
* ``unicode(amount)`` of a float is Python 2's ``str(float)`` (12 significant
  digits); it is only used for a number without an original string.

The production scorer (`symtune_jax.evaluation.denotation`) is written
separately; the tests compare the two on many generated predictions.
"""

import re
import unicodedata
from math import isinf, isnan


def normalize(x):
  x = "".join(c for c in unicodedata.normalize("NFKD", x) if unicodedata.category(c) != "Mn")
  x = re.sub("[\u2018\u2019\u00b4`]", "'", x)
  x = re.sub("[\u201c\u201d]", '"', x)
  x = re.sub("[\u2010\u2011\u2012\u2013\u2014\u2212]", "-", x)
  while True:
    old_x = x
    x = re.sub("((?<!^)\\[[^\\]]*\\]|\\[[0-9]+\\]|[\u2022\u2666\u2020\u2021*#+])*$", "",
               x.strip())
    x = re.sub("(?<!^)( \\([^)]*\\))*$", "", x.strip())
    x = re.sub('^"([^"]*)"$', r"\1", x.strip())
    if x == old_x:
      break
  if x and x[-1] == ".":
    x = x[:-1]
  x = re.sub(r"\s+", " ", x, flags=re.U).lower().strip()
  return x


def _py2_int(text):
  if "_" in text:
    raise ValueError(text)
  return int(text)


def _py2_float(text):
  if "_" in text:
    raise ValueError(text)
  return float(text)


def _py2_unicode(amount):
  if isinstance(amount, int):
    return str(amount)
  s = "%.12g" % amount
  if not any(c in s for c in ".einEIN"):
    s += ".0"
  return s


class Value:
  _normalized = None

  @property
  def normalized(self):
    return self._normalized


class StringValue(Value):

  def __init__(self, content):
    assert isinstance(content, str)
    self._normalized = normalize(content)
    self._hash = hash(self._normalized)

  def __eq__(self, other):
    return isinstance(other, StringValue) and self.normalized == other.normalized

  def __hash__(self):
    return self._hash

  def __repr__(self):
    return "S" + str([self.normalized])

  def match(self, other):
    return self.normalized == other.normalized


class NumberValue(Value):

  def __init__(self, amount, original_string=None):
    assert isinstance(amount, (int, float))
    if abs(amount - round(amount)) < 1e-6:
      self._amount = int(amount)
    else:
      self._amount = float(amount)
    if not original_string:
      self._normalized = _py2_unicode(self._amount)
    else:
      self._normalized = normalize(original_string)
    self._hash = hash(self._amount)

  @property
  def amount(self):
    return self._amount

  def __eq__(self, other):
    return isinstance(other, NumberValue) and self.amount == other.amount

  def __hash__(self):
    return self._hash

  def __repr__(self):
    return ("N(%f)" % self.amount) + str([self.normalized])

  def match(self, other):
    if self.normalized == other.normalized:
      return True
    if isinstance(other, NumberValue):
      return abs(self.amount - other.amount) < 1e-6
    return False

  @staticmethod
  def parse(text):
    try:
      return _py2_int(text)
    except Exception:  # pylint: disable=broad-except
      try:
        amount = _py2_float(text)
        assert not isnan(amount) and not isinf(amount)
        return amount
      except Exception:  # pylint: disable=broad-except
        return None


class DateValue(Value):

  def __init__(self, year, month, day, original_string=None):
    assert isinstance(year, int)
    assert isinstance(month, int) and (month == -1 or 1 <= month <= 12)
    assert isinstance(day, int) and (day == -1 or 1 <= day <= 31)
    assert not year == month == day == -1
    self._year = year
    self._month = month
    self._day = day
    if not original_string:
      self._normalized = "{}-{}-{}".format(
          year if year != -1 else "xx",
          month if month != -1 else "xx",
          day if day != "-1" else "xx")  # sic: the official compares with a string
    else:
      self._normalized = normalize(original_string)
    self._hash = hash((self._year, self._month, self._day))

  @property
  def ymd(self):
    return (self._year, self._month, self._day)

  def __eq__(self, other):
    return isinstance(other, DateValue) and self.ymd == other.ymd

  def __hash__(self):
    return self._hash

  def __repr__(self):
    return ("D(%d,%d,%d)" % (self._year, self._month, self._day)) + str([self._normalized])

  def match(self, other):
    if self.normalized == other.normalized:
      return True
    if isinstance(other, DateValue):
      return self.ymd == other.ymd
    return False

  @staticmethod
  def parse(text):
    try:
      ymd = text.lower().split("-")
      assert len(ymd) == 3
      year = -1 if ymd[0] in ("xx", "xxxx") else _py2_int(ymd[0])
      month = -1 if ymd[1] == "xx" else _py2_int(ymd[1])
      day = -1 if ymd[2] == "xx" else _py2_int(ymd[2])
      assert not year == month == day == -1
      assert month == -1 or 1 <= month <= 12
      assert day == -1 or 1 <= day <= 31
      return (year, month, day)
    except Exception:  # pylint: disable=broad-except
      return None


def to_value(original_string, corenlp_value=None):
  if isinstance(original_string, Value):
    return original_string
  if not corenlp_value:
    corenlp_value = original_string
  amount = NumberValue.parse(corenlp_value)
  if amount is not None:
    return NumberValue(amount, original_string)
  ymd = DateValue.parse(corenlp_value)
  if ymd is not None:
    if ymd[1] == ymd[2] == -1:
      return NumberValue(ymd[0], original_string)
    return DateValue(ymd[0], ymd[1], ymd[2], original_string)
  return StringValue(original_string)


def to_value_list(original_strings, corenlp_values=None):
  assert isinstance(original_strings, (list, tuple, set))
  if corenlp_values is not None:
    assert isinstance(corenlp_values, (list, tuple, set))
    assert len(original_strings) == len(corenlp_values)
    return list(set(to_value(x, y) for (x, y) in zip(original_strings, corenlp_values)))
  return list(set(to_value(x) for x in original_strings))


def check_denotation(target_values, predicted_values):
  if len(target_values) != len(predicted_values):
    return False
  for target in target_values:
    if not any(target.match(pred) for pred in predicted_values):
      return False
  return True


def tsv_unescape(x):
  return x.replace(r"\n", "\n").replace(r"\p", "|").replace("\\\\", "\\")


def tsv_unescape_list(x):
  return [tsv_unescape(y) for y in x.split("|")]


def read_tagged(path):
  """Batch mode's target map: {id: (original strings, canon strings)}."""
  out = {}
  with open(path, encoding="utf-8") as fin:
    header = fin.readline().rstrip("\n").split("\t")
    for line in fin:
      stuff = dict(zip(header, line.rstrip("\n").split("\t")))
      out[stuff["id"]] = (tsv_unescape_list(stuff["targetValue"]),
                          tsv_unescape_list(stuff["targetCanon"]))
  return out


def official_correct(originals, canons, predicted):
  """Batch mode on one line: target strings (+ canon strings or None), predicted items."""
  return check_denotation(to_value_list(list(originals), None if canons is None else list(canons)),
                          to_value_list(list(predicted)))
