#!/usr/bin/env python3
"""Agreement of `hardgen check bfcl` with BFCL's own Python checker, on BFCL's real data.

Builds a case set from BFCL's questions and possible answers as the bfcl-eval wheel ships them
(bfcl_eval/data): for each question, several model results (the first possible answer as a
decoded call list and as prompting text, and seeded mutations of it), scores every case with
BFCL's own code exactly as its eval_runner does for the single-turn AST and relevance
categories, then runs `hardgen check bfcl` on the same files and compares the verdicts.

Usage (see scripts/bfcl-env.sh for the environment):
  bash scripts/bfcl-env.sh
  target/bfcl-venv/bin/python scripts/bfcl_agree.py --hardgen target/release/hardgen --out DIR \
      [--limit N] [--seed S] [--categories a,b] [--fixture FIXTURE_DIR]
Exit code: 0 when every case agrees on `valid`, 1 otherwise, 2 on a usage or run error.

Files written to DIR: questions.jsonl, answers.jsonl, results.jsonl (the case set, BFCL's file
formats; one question line per case, so that each case has its own id), bfcl.jsonl (BFCL's
verdicts, with the case's mutation tag and the number of calls), ours.jsonl (hardgen's
--verdicts), disagreements.jsonl (every case whose `valid` differs, with the function docs,
ground truth, result and both verdicts), summary.json (figures printed).

What is BFCL's own code here: `bfcl_eval.utils.load_dataset_entry` / `load_ground_truth_entry`
(data loading, as evaluate_task calls them), `eval_runner._evaluate_single_ast_entry` and
`eval_runner._evaluate_single_relevance_entry` (decode, `is_function_calling_format_output`,
`ast_checker`, relevance rules), `default_decode_ast_prompting` (prompting decoder, with Python
`ast` and the tree-sitter Java/JavaScript parsers). What is not:
  * SHIM: `bfcl_eval.constants.model_config` is replaced by a stand-in module before BFCL is
    imported. The real module imports every model handler (anthropic, openai, cohere, ... SDKs,
    not installed). The checker reads only `MODEL_CONFIG_MAPPING[name].underscore_to_dot`
    (ast_checker.convert_func_name); the stand-in answers False for the harness's model name,
    as BFCL's prompting models have it.
  * The harness's model handler (HarnessHandler): a text result is decoded with BFCL's
    `default_decode_ast_prompting` (the decode_ast of BFCL's prompting handlers: OpenAI,
    Claude, Mistral, ... with is_fc_model False); a list result is taken as BFCL's
    function-calling handlers leave it: `{name: arguments}` items whose arguments are a JSON
    string are `json.loads`ed (OpenAI/Claude/Mistral FC handlers), others pass through as they
    are (Gemini/Nova FC handlers).
"""

import argparse
import json
import random
import re
import subprocess
import sys
import time
import types
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HARNESS_MODEL = "hardgen-bfcl-agree"


def install_model_config_shim():
    """SHIM, not BFCL code: a stand-in for bfcl_eval.constants.model_config (see the module doc)."""
    shim = types.ModuleType("bfcl_eval.constants.model_config")

    class ShimModelConfig:
        underscore_to_dot = False  # as BFCL's prompting (non-FC) model entries

        def __init__(self, model_name):
            self.model_name = model_name
            self.is_fc_model = False

    shim.ModelConfig = ShimModelConfig
    # ast_checker.convert_func_name looks up model_name.replace("_", "/")
    shim.MODEL_CONFIG_MAPPING = {
        HARNESS_MODEL.replace("_", "/"): ShimModelConfig(HARNESS_MODEL),
    }
    shim.__doc__ = "hardgen bfcl_agree.py stand-in: only underscore_to_dot=False for the harness"
    sys.modules["bfcl_eval.constants.model_config"] = shim


install_model_config_shim()

from bfcl_eval.constants.enums import Language, ReturnFormat  # noqa: E402
from bfcl_eval.eval_checker import eval_runner  # noqa: E402
from bfcl_eval.model_handler.base_handler import BaseHandler  # noqa: E402
from bfcl_eval.model_handler.utils import default_decode_ast_prompting  # noqa: E402
from bfcl_eval.utils import (  # noqa: E402
    is_function_calling_format_output,
    is_java,
    is_js,
    is_relevance_or_irrelevance,
    load_dataset_entry,
    load_ground_truth_entry,
)

CATEGORIES = [
    "simple_python",
    "simple_java",
    "simple_javascript",
    "multiple",
    "parallel",
    "parallel_multiple",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "irrelevance",
    "live_irrelevance",
    "live_relevance",
]


class HarnessHandler(BaseHandler):
    """The harness's model handler (see the module doc): BFCL's prompting decoder for text,
    BFCL's function-calling handlers' treatment for decoded call lists."""

    def __init__(self):
        super().__init__(
            model_name=HARNESS_MODEL,
            temperature=0,
            registry_name=HARNESS_MODEL,
            is_fc_model=False,
        )

    def decode_ast(self, result, language, has_tool_call_tag):
        if isinstance(result, str):
            return default_decode_ast_prompting(result, language, has_tool_call_tag)
        out = []
        for item in result:
            if isinstance(item, dict) and len(item) == 1:
                name, params = next(iter(item.items()))
                if isinstance(params, str):
                    params = json.loads(params)
                out.append({name: params})
            else:
                out.append(item)
        return out

    def decode_execute(self, result, has_tool_call_tag):
        raise NotImplementedError


def language_of(category):
    # eval_runner.ast_file_runner
    if is_java(category):
        return Language.JAVA, ReturnFormat.JAVA
    if is_js(category):
        return Language.JAVASCRIPT, ReturnFormat.JAVASCRIPT
    return Language.PYTHON, ReturnFormat.PYTHON


def bfcl_verdict(handler, case_id, category, result, prompt_entry, possible_answer):
    """BFCL's per-entry path, as eval_runner's relevance_file_runner / ast_file_runner call it."""
    try:
        if is_relevance_or_irrelevance(category):
            r = eval_runner._evaluate_single_relevance_entry(
                handler, case_id, result, prompt_entry, HARNESS_MODEL, category
            )
        else:
            language, return_format = language_of(category)
            r = eval_runner._evaluate_single_ast_entry(
                handler,
                case_id,
                result,
                possible_answer,
                prompt_entry,
                HARNESS_MODEL,
                category,
                language=language,
                return_format=return_format,
                has_tool_call_tag=False,
            )
    except Exception as e:  # BFCL's runner would stop here: recorded, counted apart
        return False, f"bfcl_raised:{type(e).__name__}", [repr(e)[:300]]
    if r["valid"]:
        return True, None, []
    return False, r.get("error_type"), r.get("error")


# ----------------------------------------------------------------------------------------------
# Case generation


ABSENT = object()
PY_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JAVA_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
DICT_TYPES = ("dict", "object", "HashMap")


@dataclass
class Case:
    id: str
    category: str
    tag: str
    result: object
    ncalls: int


def doc_of(functions, name):
    for f in functions:
        if f.get("name") == name:
            return f
    return None


def param_doc(functions, fname, pname):
    f = doc_of(functions, fname)
    if not f:
        return {}
    return f.get("parameters", {}).get("properties", {}).get(pname, {}) or {}


def items_type(pdoc):
    items = pdoc.get("items")
    return items.get("type") if isinstance(items, dict) else None


def collapse(v, pdoc):
    """A possible-answer value for one parameter → a model value: dicts in possible answers map
    keys to lists of allowed values (BFCL's dict_checker / list_dict_checker)."""

    def one_dict(d):
        if not isinstance(d, dict):
            return d
        out = {}
        for k, vals in d.items():
            if isinstance(vals, list):
                if vals and vals[0] != "":
                    out[k] = vals[0]
            else:
                out[k] = vals
        return out

    t = pdoc.get("type")
    if t in DICT_TYPES and isinstance(v, dict):
        return one_dict(v)
    if isinstance(v, list) and items_type(pdoc) in DICT_TYPES:
        return [one_dict(x) for x in v]
    return v


def first_answer(functions, ground_truth, alt_index=None):
    """Calls [[name, {param: value}]] from the first allowed value of every parameter ("" means
    the parameter is left out)."""
    calls = []
    for item in ground_truth:
        name, params = next(iter(item.items()))
        args = {}
        for p, allowed in params.items():
            if not isinstance(allowed, list) or not allowed:
                continue
            v = allowed[0]
            if alt_index is not None and p == alt_index[1] and len(calls) == alt_index[0]:
                v = allowed[1]
            if v == "":
                continue
            args[p] = collapse(v, param_doc(functions, name, p))
        calls.append([name, args])
    return calls


def copy_calls(calls):
    return json.loads(json.dumps(calls))


def wrong_value(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 7
    if isinstance(v, float):
        return v + 1.25
    if isinstance(v, str):
        return v + "zq"
    if isinstance(v, list):
        return v + [v[0]] if v else ["zq"]
    if isinstance(v, dict):
        d = dict(v)
        d["zqkey"] = "zq"
        return d
    return "zq"


def wrong_type(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return float(v)
    if isinstance(v, float):
        return str(v)
    if isinstance(v, str):
        try:
            return int(float(v))
        except (ValueError, OverflowError):
            return 42
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return list(v.values())
    return 1


def case_punct(s):
    # What BFCL's standardize_string drops or folds: case, " ,./-_*^", ' vs "
    s2 = s.upper().replace(" ", "_")
    return s2 + "." if not s2.endswith(".") else s2 + "-"


def params_where(calls, pred):
    return [(i, p) for i, (_, args) in enumerate(calls) for p, v in args.items() if pred(i, p, v)]


def mutations(calls, functions, ground_truth, rng):
    """(tag, calls) pairs: seeded mutations of the first possible answer."""
    out = []

    def required_of(i):
        f = doc_of(functions, calls[i][0]) or {}
        return f.get("parameters", {}).get("required", []) or []

    def pick(cands):
        return cands[rng.randrange(len(cands))] if cands else None

    def with_param(tag, cands, fn):
        c = pick(cands)
        if c is None:
            return
        i, p = c
        m = copy_calls(calls)
        r = fn(m, i, p)
        if r is not False:
            out.append((tag, m))

    def drop(m, i, p):
        del m[i][1][p]

    with_param("dropreq", params_where(calls, lambda i, p, v: p in required_of(i)), drop)
    with_param("dropopt", params_where(calls, lambda i, p, v: p not in required_of(i)), drop)

    def setv(fn):
        def f(m, i, p):
            m[i][1][p] = fn(m[i][1][p])

        return f

    with_param("wrongval", params_where(calls, lambda *a: True), setv(wrong_value))
    with_param("wrongtype", params_where(calls, lambda *a: True), setv(wrong_type))
    is_int = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
    with_param("int2float", params_where(calls, lambda i, p, v: is_int(v)), setv(float))
    with_param(
        "float2int",
        params_where(calls, lambda i, p, v: isinstance(v, float) and v.is_integer()),
        setv(int),
    )
    with_param("num2str", params_where(calls, lambda i, p, v: is_int(v) or isinstance(v, float)), setv(str))
    with_param("none", params_where(calls, lambda *a: True), setv(lambda v: None))

    def strs(v):
        return isinstance(v, str) and v.strip() != "" or (
            isinstance(v, list) and v and all(isinstance(x, str) for x in v)
        )

    def map_str(fn):
        return lambda v: fn(v) if isinstance(v, str) else [fn(x) for x in v]

    with_param("strnorm", params_where(calls, lambda i, p, v: strs(v)), setv(map_str(case_punct)))
    with_param("strbang", params_where(calls, lambda i, p, v: strs(v)), setv(map_str(lambda s: s + "!")))

    with_param("hugeint", params_where(calls, lambda i, p, v: is_int(v)), setv(lambda v: 2**70 + v))
    with_param("bool2int", params_where(calls, lambda i, p, v: isinstance(v, bool)), setv(int))
    with_param("int2bool", params_where(calls, lambda i, p, v: is_int(v)), setv(lambda v: v != 0))
    with_param("emptystr", params_where(calls, lambda i, p, v: isinstance(v, str)), setv(lambda v: ""))
    with_param(
        "listnum",
        params_where(calls, lambda i, p, v: isinstance(v, list) and v
                     and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)),
        setv(lambda v: [float(x) if isinstance(x, int) else int(x) if x.is_integer() else str(x)
                        for x in v]),
    )
    with_param("listrev", params_where(calls, lambda i, p, v: isinstance(v, list) and len(v) > 1),
               setv(lambda v: v[::-1]))
    with_param("listempty", params_where(calls, lambda i, p, v: isinstance(v, list) and v),
               setv(lambda v: []))

    def dict_drop(v):
        d = dict(v)
        d.pop(next(iter(d)))
        return d

    with_param("dictdrop", params_where(calls, lambda i, p, v: isinstance(v, dict) and v),
               setv(dict_drop))
    with_param("dictnorm", params_where(calls, lambda i, p, v: isinstance(v, dict) and any(
        isinstance(x, str) for x in v.values())),
        setv(lambda v: {k: case_punct(x) if isinstance(x, str) else x for k, x in v.items()}))
    with_param(
        "listdictnorm",
        params_where(calls, lambda i, p, v: isinstance(v, list) and v
                     and all(isinstance(x, dict) for x in v)),
        setv(lambda v: [{k: case_punct(x) if isinstance(x, str) else x for k, x in d.items()}
                        for d in v]),
    )

    if calls:
        i = rng.randrange(len(calls))
        m = copy_calls(calls)
        m[i][1]["zq_extra"] = 1
        out.append(("extra", m))
        m = copy_calls(calls)
        m[i][0] = m[i][0] + "_v2"
        out.append(("wrongname", m))
        if "." in calls[i][0]:
            m = copy_calls(calls)
            m[i][0] = m[i][0].replace(".", "_")
            out.append(("dotname", m))
        m = copy_calls(calls)
        m.append(copy_calls([calls[0]])[0])
        out.append(("dupcall", m))
    if len(calls) > 1:
        out.append(("swap", copy_calls(calls[::-1])))
        m = copy_calls(calls)
        rng.shuffle(m)
        out.append(("shuffle", m))
        out.append(("dropcall", copy_calls(calls[:-1])))

    # Another allowed value (the checker should accept it; "" drops an optional parameter)
    alts = [
        (i, p)
        for i, item in enumerate(ground_truth)
        for p, allowed in next(iter(item.values())).items()
        if isinstance(allowed, list) and len(allowed) > 1
    ]
    c = pick(alts)
    if c is not None:
        out.append(("altval", first_answer(functions, ground_truth, alt_index=c)))
    out.append(("empty", []))
    return out


# -- rendering ---------------------------------------------------------------------------------


def as_decoded(calls):
    return [{name: args} for name, args in calls]


def py_text(calls, tuples=False, positional=False, override=None):
    """Python prompting text; `override` maps (call index, param) to source text."""

    def val(v):
        if tuples and isinstance(v, list):
            return "(" + ", ".join(repr(x) for x in v) + ("," if len(v) == 1 else "") + ")"
        return repr(v)

    parts = []
    for i, (name, args) in enumerate(calls):
        items = [f"{k}={(override or {}).get((i, k)) or val(v)}" for k, v in args.items()]
        if positional and args:
            k0, v0 = next(iter(args.items()))
            items[0] = val(v0)
        parts.append(f"{name}({', '.join(items)})")
    return "[" + ", ".join(parts) + "]"


def jstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def java_generic(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return jstr(v)
    if v is None:
        return "null"
    if isinstance(v, list):
        return "new Object[]{" + ", ".join(java_generic(x) for x in v) + "}"
    if isinstance(v, dict):
        return java_value(v, {"type": "HashMap"})
    return jstr(str(v))


JAVA_ARRAY_TYPE = {"String": "String", "integer": "int", "long": "long", "char": "char",
                   "double": "double", "float": "float", "boolean": "boolean", "any": "Object"}


def java_value(v, pdoc):
    t = pdoc.get("type")
    it = items_type(pdoc)
    is_num = isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "String" and isinstance(v, str):
        return jstr(v)
    if t == "any" and isinstance(v, str):
        return v if JAVA_NAME.match(v) else jstr(v)
    if t in ("integer", "byte", "short") and isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if t == "long" and isinstance(v, int) and not isinstance(v, bool):
        return f"{v}L"
    if t == "float" and is_num:
        return f"{float(v)!r}f"
    if t == "double" and is_num:
        return repr(float(v))
    if t == "boolean" and isinstance(v, bool):
        return "true" if v else "false"
    if t == "char" and isinstance(v, str):
        return f"'{v}'"
    if t in ("Array", "ArrayList") and isinstance(v, list):
        sub = {"type": it or "any"}
        elems = ", ".join(java_value(x, sub) for x in v)
        if t == "Array":
            return f"new {JAVA_ARRAY_TYPE.get(it, 'Object')}[]{{{elems}}}"
        return f"new ArrayList<>(Arrays.asList({elems}))"
    if t == "HashMap" and isinstance(v, dict):
        puts = " ".join(f"put({jstr(str(k))}, {java_generic(x)});" for k, x in v.items())
        return "new HashMap<String, Object>() {{ " + puts + " }}"
    return java_generic(v)


def js_generic(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return jstr(v)
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(js_generic(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {js_generic(x)}" for k, x in v.items()) + "}"
    return jstr(str(v))


def js_value(v, pdoc):
    t = pdoc.get("type")
    if t == "any" and isinstance(v, str):
        return v if JAVA_NAME.match(v) else jstr(v)
    if t == "Bigint" and isinstance(v, int) and not isinstance(v, bool):
        return f"{v}n"
    return js_generic(v)


def javalike_text(calls, functions, lang, positional=False, override=None):
    render = java_value if lang == "java" else js_value
    parts = []
    for i, (name, args) in enumerate(calls):
        items = [f"{k}={(override or {}).get((i, k)) or render(v, param_doc(functions, name, k))}"
                 for k, v in args.items()]
        if positional and args:
            k0, v0 = next(iter(args.items()))
            items[0] = render(v0, param_doc(functions, name, k0))
        parts.append(f"{name}({', '.join(items)})")
    return "[" + ", ".join(parts) + "]"


def text_of(calls, functions, category, **kw):
    if is_java(category):
        return javalike_text(calls, functions, "java", **kw)
    if is_js(category):
        return javalike_text(calls, functions, "js", **kw)
    return py_text(calls, **kw)


def text_variants(calls, functions, category, rng):
    """Text-only variants of the correct answer: what BFCL's decoder strips, tolerates or
    rejects."""
    t = text_of(calls, functions, category)
    inner = t[1:-1]
    out = [
        ("fence", "```\n" + t + "\n```"),
        ("fencepy", "```python\n" + t + "\n```"),
        ("nobrackets", inner),
        ("quoted", "'" + t + "'"),
        ("spaces", "  \n" + t + "\n  "),
        ("trailing", t + " Let me know if you need anything else."),
        ("prose", "I would call the function with the given parameters."),
        ("malformed", t[:-2] if len(t) > 2 else "[("),
        ("emptytext", ""),
        ("brackets", "[]"),
        ("positional", text_of(calls, functions, category, positional=True)),
    ]
    if not (is_java(category) or is_js(category)):
        out.append(("tuple", py_text(calls, tuples=True)))
        out.append(("semicolon", inner.replace("), ", "); ") + ";"))
        # An int written as an expression (BFCL evaluates BinOp, and UnaryOp on a constant)
        ints = [(i, p) for i, (_, a) in enumerate(calls) for p, v in a.items()
                if isinstance(v, int) and not isinstance(v, bool)]
        if ints:
            i, p = ints[rng.randrange(len(ints))]
            v = calls[i][1][p]
            out.append(("binop", py_text(calls, override={(i, p): f"{v - 1} + 1"})))
            out.append(("negexpr", py_text(calls, override={(i, p): f"-{-v}" if v < 0 else f"-(-{v})"})))
        # A string written as a bare name (BFCL's decoder takes ast.Name as its id)
        strs = [(i, p) for i, (_, a) in enumerate(calls) for p, v in a.items()
                if isinstance(v, str) and PY_IDENT.match(v)]
        if strs:
            i, p = strs[rng.randrange(len(strs))]
            out.append(("barename", py_text(calls, override={(i, p): calls[i][1][p]})))
        # A nested call as a value (decoded as {name: {args}}, or its source without keywords)
        anyp = [(i, p) for i, (_, a) in enumerate(calls) for p in a]
        if anyp:
            i, p = anyp[rng.randrange(len(anyp))]
            out.append(("nestedcall", py_text(calls, override={(i, p): "helper(x=1)"})))
            out.append(("nestedcall0", py_text(calls, override={(i, p): "helper(1)"})))
    return out


# Source-text probes of decoder quirks: (tag, applies to a value, source of the value).
PY_PROBES = [
    ("uadd", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), lambda v: f"+{v!r}"),
    ("invert", lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: f"~{v!r}"),
    ("notop", lambda v: isinstance(v, bool), lambda v: f"not {not v!r}"),
    ("doubleneg", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), lambda v: f"--{v!r}"),
    ("negname", lambda v: True, lambda v: "-x"),
    ("hexint", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, lambda v: hex(v)),
    ("sepint", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1000, lambda v: f"{v:_}"),
    ("pow", lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: f"{v!r}**1"),
    ("floordiv", lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: f"{2 * v}//2"),
    ("truediv", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), lambda v: f"{2 * v!r}/2"),
    ("sci", lambda v: isinstance(v, float), lambda v: f"{v:e}"),
    ("intdot", lambda v: isinstance(v, float) and v.is_integer() and v >= 0, lambda v: f"{int(v)}."),
    ("concat", lambda v: isinstance(v, str) and len(v) > 1, lambda v: f"{v[:1]!r} + {v[1:]!r}"),
    ("implicit", lambda v: isinstance(v, str) and len(v) > 1, lambda v: f"{v[:1]!r} {v[1:]!r}"),
    ("dquote", lambda v: isinstance(v, str), lambda v: json.dumps(v)),
    ("strmul", lambda v: isinstance(v, str), lambda v: f"{v!r} * 1"),
    ("fstring", lambda v: isinstance(v, str), lambda v: "f" + repr(v.replace("{", "").replace("}", ""))),
    ("bytes", lambda v: isinstance(v, str) and v.isascii(), lambda v: "b" + repr(v)),
    ("listconcat", lambda v: isinstance(v, list) and v, lambda v: f"{v[:1]!r} + {v[1:]!r}"),
    ("listtuple", lambda v: isinstance(v, list), lambda v: repr(tuple(v))),
    ("starred", lambda v: isinstance(v, list), lambda v: "[*x]"),
    ("listcomp", lambda v: isinstance(v, list), lambda v: "[i for i in x]"),
    ("setlit", lambda v: True, lambda v: "{1, 2}"),
    ("dictcall", lambda v: isinstance(v, dict), lambda v: f"dict(**{v!r})"),
    ("attr", lambda v: True, lambda v: "math.pi"),
    ("subscript", lambda v: True, lambda v: "x[0]"),
    ("compare", lambda v: True, lambda v: "1 < 2"),
    ("ifexp", lambda v: True, lambda v: "1 if x else 2"),
    ("lambda", lambda v: True, lambda v: "lambda: 1"),
    ("namebinop", lambda v: True, lambda v: "x + 1"),
    ("complex", lambda v: True, lambda v: "1j"),
    ("ellipsis", lambda v: True, lambda v: "..."),
    ("nonelit", lambda v: True, lambda v: "None"),
    ("truelit", lambda v: True, lambda v: "True"),
    ("bigint", lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: "10**30"),
    ("i64over", lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: str(2**63 + 5)),
    ("i128over", lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: str(2**127 + 5)),
    ("inf", lambda v: isinstance(v, float), lambda v: "1e999"),
]
JAVA_PROBES = [
    ("jnull", "null"), ("jneg", "-5"), ("jhex", "0x1F"), ("jlong", "5L"), ("jfloat", "1.5f"),
    ("jchar", "'x'"), ("jsqstr", "'ab'"), ("jnewobj", 'new Foo("x", 1)'), ("jlambda", "x -> x + 1"),
    ("jcast", "(int) 5"), ("jcall", "foo.bar(1)"), ("jconcat", '"a" + "b"'),
    ("jgeneric", "new ArrayList<String>()"), ("jarrayinit", "{1, 2}"), ("jclass", "Foo.class"),
    ("jthis", "this.x"), ("jternary", "a ? 1 : 2"), ("jescape", '"a\\"b"'),
    ("jarray", "new int[]{1, 2}"), ("jlist", 'new ArrayList<>(Arrays.asList("a", "b"))'),
    ("jmap", 'new HashMap<String, Integer>() {{ put("a", 1); }}'), ("jtrue", "true"),
]
JS_PROBES = [
    ("jsnull", "null"), ("jsundef", "undefined"), ("jsarrow", "() => 1"), ("jsobj", "{a: 1, b: 'x'}"),
    ("jstemplate", "`x`"), ("jssq", "'x'"), ("jsnewarray", "new Array(1, 2)"), ("jsregex", "/ab+c/"),
    ("jsneg", "-5"), ("jsbigint", "5n"), ("jsspread", "...x"), ("jsmember", "obj.prop"),
    ("jscall", "foo(1)"), ("jsconcat", "'a' + 'b'"), ("jsnested", "[[1, 2], [3]]"), ("jsfloat", "1.5e3"),
    ("jsarr", "['a', 'b']"), ("jsfunc", "function() { return 1; }"), ("jstrue", "true"),
    ("jsdictarr", "{a: [1, 2], b: {c: 1}}"),
]


def probe_variants(calls, functions, category, rng, per_question):
    """Value probes (a random subset of PY_PROBES for Python, every Java/JS probe), each on a
    random parameter it applies to, and structural text probes."""
    params = [(i, p) for i, (_, a) in enumerate(calls) for p in a]
    out = []
    if is_java(category) or is_js(category):
        lang = "java" if is_java(category) else "js"
        if params:
            for tag, src in JAVA_PROBES if lang == "java" else JS_PROBES:
                i, p = params[rng.randrange(len(params))]
                out.append((tag, javalike_text(calls, functions, lang, override={(i, p): src})))
        # A correct string value in single quotes, and as a double-quoted literal
        strs = [(i, p) for i, p in params if isinstance(calls[i][1][p], str)
                and "'" not in calls[i][1][p] and "\\" not in calls[i][1][p]]
        if strs:
            i, p = strs[rng.randrange(len(strs))]
            v = calls[i][1][p]
            out.append(("sqval", javalike_text(calls, functions, lang, override={(i, p): f"'{v}'"})))
            out.append(("dqval", javalike_text(calls, functions, lang, override={(i, p): jstr(v)})))
            if lang == "js":
                out.append(("tplval", javalike_text(calls, functions, lang, override={(i, p): f"`{v}`"})))
        t = javalike_text(calls, functions, lang)
        out.append(("semicolon", t[:-1] + ";]"))
        out.append(("twocalls", "[" + t[1:-1] + ", " + t[1:-1] + "]"))
        out.append(("trailcomma", t[:-2] + ",)]" if t.endswith(")]") else t))
        out.append(("newline", t.replace(", ", ",\n")))
        if calls and "." in calls[0][0]:
            m = copy_calls(calls)
            m[0][0] = m[0][0].rsplit(".", 1)[1]
            out.append(("shortname", javalike_text(m, functions, lang)))
        return out
    probes = list(PY_PROBES)
    rng.shuffle(probes)
    for tag, applies, src in probes:
        if len(out) >= per_question:
            break
        cands = [(i, p) for i, p in params if applies(calls[i][1][p])]
        if cands:
            i, p = cands[rng.randrange(len(cands))]
            out.append((tag, py_text(calls, override={(i, p): src(calls[i][1][p])})))
    t = py_text(calls)
    structural = [
        ("kwargs", py_text([[n, {}] for n, _ in calls]).replace("()", "(**{})", 1)
         if not calls or not calls[0][1] else
         t.replace(f"{calls[0][0]}(", f"{calls[0][0]}(**{{{next(iter(calls[0][1]))!r}: 1}}, ", 1)),
        ("dquoted", '"' + t + '"'),
        ("callcall", t.replace(")", ")()", 1)),
        ("tuplewrap", "[(" + t[1:-1] + ",)]"),
        ("nestedlist", "[" + t + "]"),
        ("comment", t + "  # done"),
        ("multiline", t.replace("), ", "),\n")),
        ("posafterkw", t.replace(")", ", 1)", 1)),
        ("subscriptfunc", "[x[0]." + t[1:]),
        ("nonetop", "None"),
        ("calltop", t[1:-1].split("), ")[0] + (")" if "), " in t else "")),
    ]
    out.extend(structural)
    if calls and calls[0][1]:
        # A repeated keyword: with the correct value last, and with it first
        k0, v0 = next(iter(calls[0][1].items()))
        wrong = py_text([[calls[0][0], {k0: wrong_value(v0)}]])[len(calls[0][0]) + 2:-2]
        out.append(("dupkwlast", t.replace(f"{calls[0][0]}(", f"{calls[0][0]}({wrong}, ", 1)))
        out.append(("dupkwfirst", t.replace(")", f", {wrong})", 1)))
    return out


def dummy_value(pdoc):
    t = pdoc.get("type")
    return {"string": "x", "integer": 1, "float": 1.5, "boolean": True, "array": [],
            "dict": {}, "tuple": []}.get(t, "x")


def relevance_cases(entry, category, rng):
    functions = entry["function"]
    f = functions[0] if functions else {"name": "no_function_given", "parameters": {}}
    props = f.get("parameters", {}).get("properties", {})
    req = f.get("parameters", {}).get("required", [])
    call = [[f["name"], {p: dummy_value(props.get(p, {})) for p in req}]]
    text = py_text(call)
    return [
        ("call", as_decoded(call)),
        ("calltext", text),
        ("calljson", [{f["name"]: json.dumps(call[0][1])}]),
        ("callnoargs", f"{f['name']}()"),
        ("fence", "```\n" + text + "\n```"),
        ("empty", []),
        ("emptydict", [{}]),
        ("brackets", "[]"),
        ("emptytext", ""),
        ("prose", "I cannot answer this with the functions I have."),
        ("malformed", text[:-2]),
        ("notcalls", "[1, 2]"),
        ("jsonbad", [{f["name"]: "{not json"}]),
        # Decoding succeeds or fails on these depending on the decoder's quirks, which decides
        # relevance verdicts
        ("bigintlit", f"[{f['name']}(x=123456789012345678901234567890123456789012)]"),
        ("dupkw", f"[{f['name']}(x=1, x=2)]"),
        ("charlit", f"[{f['name']}(x='ab')]"),
    ] + [("p" + tag, text) for tag, text in probe_variants(call, functions, category, rng, 8)]


def ast_cases(entry, ground_truth, category, rng):
    functions = entry["function"]
    calls = first_answer(functions, ground_truth)
    n = len(calls)
    out = [("gt.dec", as_decoded(calls), n), ("gt.txt", text_of(calls, functions, category), n)]
    out.append(("gt.json", [{name: json.dumps(args)} for name, args in calls], n))
    for tag, m in mutations(calls, functions, ground_truth, rng):
        out.append((tag + ".dec", as_decoded(m), len(m)))
        out.append((tag + ".txt", text_of(m, functions, category), len(m)))
    for tag, text in text_variants(calls, functions, category, rng):
        out.append((tag + ".txt", text, n))
    for tag, text in probe_variants(calls, functions, category, rng, per_question=10):
        out.append(("p" + tag + ".txt", text, n))
    if is_java(category) or is_js(category):
        # What BFCL's own Java/JavaScript decoder makes of the text, as a decoded call list
        # (argument values are source text, converted by the checker).
        for tag, res, k in list(out):
            if not tag.endswith(".txt"):
                continue
            try:
                _, rf = language_of(category)
                dec = default_decode_ast_prompting(res, rf)
            except Exception:
                continue
            if is_function_calling_format_output(dec) and all(
                None not in next(iter(c.values())) for c in dec
            ):
                out.append((tag[:-4] + ".srcdec", dec, len(dec)))
    return out


def build_cases(categories, limit, seed):
    questions, answers, cases, meta = [], [], [], {}
    for category in categories:
        prompts = load_dataset_entry(
            category, include_prereq=False, include_language_specific_hint=False
        )
        relevance = is_relevance_or_irrelevance(category)
        truths = None if relevance else load_ground_truth_entry(category)
        if truths is not None:
            assert len(truths) == len(prompts), category
        if limit:
            prompts = prompts[:limit]
        for idx, entry in enumerate(prompts):
            rng = random.Random(f"{seed}:{entry['id']}")
            if relevance:
                gt = None
                made = [(t, r, 1) for t, r in relevance_cases(entry, category, rng)]
            else:
                gt = truths[idx]["ground_truth"]
                made = ast_cases(entry, gt, category, rng)
            seen = set()
            for tag, result, ncalls in made:
                line = json.dumps(result, sort_keys=False)
                if (tag, line) in seen:
                    continue
                seen.add((tag, line))
                cid = f"{entry['id']}-{tag.replace('.', '-')}"
                assert "_" not in cid[len(entry["id"]):], cid
                q = {"id": cid, "question": entry["question"], "function": entry["function"]}
                questions.append(q)
                if gt is not None:
                    answers.append({"id": cid, "ground_truth": gt})
                cases.append(Case(cid, category, tag, json.loads(line), ncalls))
                meta[cid] = (entry, gt)
    return questions, answers, cases, meta


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as w:
        for r in rows:
            w.write(json.dumps(r, ensure_ascii=False, default=str))
            w.write("\n")


def write_fixture(fdir, disagreements, meta):
    """Up to 2 cases per disagreement pattern, with BFCL's verdicts as the expected ones."""
    fdir.mkdir(parents=True, exist_ok=True)
    taken = Counter()
    picked = []
    for d in disagreements:
        key = (d["category"], d["case"], d["bfcl"]["error_type"], d["ours"]["error_type"])
        if taken[key] < 2:
            taken[key] += 1
            picked.append(d)
    q, a, r, v = [], [], [], []
    for d in picked:
        entry, gt = meta[d["id"]]
        q.append({"id": d["id"], "question": entry["question"], "function": entry["function"]})
        if gt is not None:
            a.append({"id": d["id"], "ground_truth": gt})
        r.append({"id": d["id"], "result": d["result"]})
        v.append({"id": d["id"], "valid": d["bfcl"]["valid"], "error_type": d["bfcl"]["error_type"],
                  "hardgen_valid": d["ours"]["valid"], "hardgen_error_type": d["ours"]["error_type"]})
    write_jsonl(fdir / "questions.jsonl", q)
    write_jsonl(fdir / "answers.jsonl", a)
    write_jsonl(fdir / "results.jsonl", r)
    write_jsonl(fdir / "bfcl_verdicts.jsonl", v)
    print(f"fixture: {len(picked)} cases in {fdir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hardgen", required=True, help="the hardgen binary")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--limit", type=int, default=0, help="questions per category (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--categories", default=",".join(CATEGORIES))
    ap.add_argument("--fixture", help="also write up to 2 disagreeing cases per pattern "
                    "(category, case, both verdicts) to this directory, in BFCL's file formats")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    categories = [c for c in args.categories.split(",") if c]
    for c in categories:
        if c not in CATEGORIES:
            print(f"unknown category {c}", file=sys.stderr)
            return 2

    t0 = time.perf_counter()
    questions, answers, cases, meta = build_cases(categories, args.limit, args.seed)
    print(f"cases: {len(cases)} from {len(categories)} categories "
          f"({time.perf_counter() - t0:.1f}s to build)")
    write_jsonl(out / "questions.jsonl", questions)
    write_jsonl(out / "answers.jsonl", answers)
    write_jsonl(out / "results.jsonl", ({"id": c.id, "result": c.result} for c in cases))

    # BFCL's verdicts; the loop times BFCL's checker alone (no file I/O).
    handler = HarnessHandler()
    prompt_of = {c.id: {"id": c.id, "question": meta[c.id][0]["question"],
                        "function": meta[c.id][0]["function"]} for c in cases}
    verdicts = []
    by_form = defaultdict(lambda: [0, 0, 0.0])  # cases, calls, seconds
    clock = time.perf_counter
    start = clock()
    for c in cases:
        t = clock()
        verdicts.append(bfcl_verdict(handler, c.id, c.category, c.result, prompt_of[c.id],
                                     meta[c.id][1]))
        f = by_form["text" if isinstance(c.result, str) else "decoded list"]
        f[0] += 1
        f[1] += c.ncalls
        f[2] += clock() - t
    bfcl_seconds = clock() - start
    ncalls = sum(c.ncalls for c in cases)
    bfcl_rows = [
        {"id": c.id, "category": c.category, "case": c.tag, "calls": c.ncalls, "valid": v,
         "error_type": et, "error": err}
        for c, (v, et, err) in zip(cases, verdicts)
    ]
    write_jsonl(out / "bfcl.jsonl", bfcl_rows)

    ours_path = out / "ours.jsonl"
    cmd = [args.hardgen, "check", "bfcl", "--questions", str(out / "questions.jsonl"),
           "--answers", str(out / "answers.jsonl"), "--results", str(out / "results.jsonl"),
           "--verdicts", str(ours_path), "--json"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    hardgen_seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(f"hardgen failed ({proc.returncode}): {proc.stderr[-2000:]}", file=sys.stderr)
        return 2
    ours = {}
    with open(ours_path, encoding="utf-8") as f:
        for line in f:
            v = json.loads(line)
            ours[v["id"]] = v

    # Comparison
    per_cat = defaultdict(lambda: [0, 0, 0])  # cases, valid agree, error_type agree
    per_tag = defaultdict(lambda: [0, 0])
    patterns = Counter()
    disagreements = []
    raised = Counter()
    bfcl_valid = Counter()
    for c, row in zip(cases, bfcl_rows):
        o = ours.get(c.id)
        ov, oet = (o["valid"], o.get("error_type")) if o else (None, "missing verdict")
        same = ov == row["valid"]
        same_et = same and (row["valid"] or oet == row["error_type"])
        pc = per_cat[c.category]
        pc[0] += 1
        pc[1] += same
        pc[2] += same_et
        per_tag[c.tag][0] += 1
        per_tag[c.tag][1] += same
        bfcl_valid[(c.category, row["valid"])] += 1
        if row["error_type"] and row["error_type"].startswith("bfcl_raised"):
            raised[(c.category, row["error_type"])] += 1
        if not same:
            patterns[(c.category, c.tag, row["error_type"], oet)] += 1
            entry, gt = meta[c.id]
            disagreements.append({
                "id": c.id, "category": c.category, "case": c.tag, "result": c.result,
                "bfcl": {"valid": row["valid"], "error_type": row["error_type"],
                         "error": row["error"]},
                "ours": {"valid": ov, "error_type": oet, "error": (o or {}).get("error")},
                "ground_truth": gt, "function": entry["function"],
            })
    write_jsonl(out / "disagreements.jsonl", disagreements)
    if args.fixture:
        write_fixture(Path(args.fixture), disagreements, meta)

    total = len(cases)
    agree = sum(v[1] for v in per_cat.values())
    agree_et = sum(v[2] for v in per_cat.values())
    print()
    print(f"{'category':<24} {'cases':>7} {'bfcl ok':>8} {'valid agree':>12} {'+error_type':>12}")
    summary = {"cases": total, "categories": {}}
    for cat in categories:
        n, a, e = per_cat[cat]
        if not n:
            continue
        ok = bfcl_valid[(cat, True)]
        print(f"{cat:<24} {n:>7} {ok:>8} {100 * a / n:>11.2f}% {100 * e / n:>11.2f}%")
        summary["categories"][cat] = {"cases": n, "bfcl_valid": ok, "valid_agree": a,
                                      "error_type_agree": e}
    print(f"{'overall':<24} {total:>7} {sum(v for (c, ok), v in bfcl_valid.items() if ok):>8} "
          f"{100 * agree / total:>11.2f}% {100 * agree_et / total:>11.2f}%")
    if raised:
        print("\nBFCL raised (its runner would stop; counted as invalid):")
        for (cat, et), n in sorted(raised.items()):
            print(f"  {cat}: {et} x{n}")
    if patterns:
        print(f"\ndisagreements on `valid`: {len(disagreements)} (details: {out / 'disagreements.jsonl'})")
        print(f"  {'n':>5}  category / case / BFCL error_type -> ours")
        for (cat, tag, bet, oet), n in patterns.most_common(60):
            print(f"  {n:>5}  {cat} / {tag} / {bet or 'valid'} -> {oet or 'valid'}")
    print()
    print(f"BFCL checker alone: {total} cases in {bfcl_seconds:.2f}s = "
          f"{total / bfcl_seconds:,.0f} cases/s, {ncalls / bfcl_seconds:,.0f} calls/s "
          f"({ncalls} calls; decode + format check + ast_checker, no file I/O)")
    for form, (n, k, sec) in sorted(by_form.items()):
        print(f"  {form} results: {n} cases, {n / sec:,.0f} cases/s, {k / sec:,.0f} calls/s")
    print(f"hardgen check bfcl (whole process, incl. reading the files and writing verdicts): "
          f"{hardgen_seconds:.2f}s = {total / hardgen_seconds:,.0f} cases/s")
    summary.update({
        "valid_agree": agree, "error_type_agree": agree_et,
        "bfcl_seconds": bfcl_seconds, "bfcl_cases_per_s": total / bfcl_seconds,
        "bfcl_calls": ncalls, "bfcl_calls_per_s": ncalls / bfcl_seconds,
        "hardgen_seconds": hardgen_seconds,
        "bfcl_by_form": {f: {"cases": n, "calls": k, "seconds": sec}
                         for f, (n, k, sec) in by_form.items()},
        "per_case_tag": {t: {"cases": v[0], "valid_agree": v[1]} for t, v in sorted(per_tag.items())},
        "bfcl_raised": {f"{c}:{e}": n for (c, e), n in raised.items()},
    })
    with open(out / "summary.json", "w") as f:
        json.dump(summary, f, indent=1)
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
