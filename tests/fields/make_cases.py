"""Regenerate the field-model case files (tests/fields/cases/*.json) from the reference.

The tests never run Node: they read the JSON files this script wrote once. To regenerate::

    cp -r /work/shared/oracle /tmp/oracle-fields && (cd /tmp/oracle-fields && npm ci)
    python tests/fields/make_cases.py /tmp/oracle-fields

The script copies ``oracle_fields.js`` (next to it) into that copy of the oracle and feeds it
every case below; each case file lists the inputs with the reference's answer (``expected``).
Case inputs live here and only here: to add a case, add it below and regenerate.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CASES = HERE / "cases"


def s(label: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "type": "string", **extra}


def n(label: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "type": "number", **extra}


def cond(key: str, op: str = "is", *value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"fieldKey": key, "operator": op}
    if value:
        out["value"] = value[0]
    return out


def when(*conditions: dict[str, Any], match: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"conditions": list(conditions)}
    if match:
        out["match"] = match
    return out


FLAG = {"label": "Flag", "type": "boolean"}
MODE = s("Mode", choices=["a", "b"])

# name -> (fields, payloads): every payload is validated against the fields.
VALIDATION: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "required_if_value_is": (
        {"flag": FLAG, "email": s("Email", required=when(cond("flag", "is", True)))},
        [{"flag": True}, {"flag": False}, {}, {"flag": True, "email": "x"}, {"flag": "true"},
         {"flag": True, "email": ""}, {"flag": True, "email": None}],
    ),
    "required_if_value_is_not": (
        {"mode": MODE, "email": s("Email", required=when(cond("mode", "is_not", "a")))},
        [{"mode": "a"}, {"mode": "b"}, {}, {"mode": "b", "email": "x"}],
    ),
    "required_if_absent": (
        {"phone": s("Phone"), "email": s("Email", required=when(cond("phone", "is")))},
        [{}, {"phone": "1"}, {"phone": None}, {"phone": ""}, {"email": "x"}],
    ),
    "required_if_absent_nullable": (
        {"phone": s("Phone", allowNull=True), "email": s("Email", required=when(cond("phone", "is")))},
        [{"phone": None}, {"phone": "1"}],
    ),
    "required_if_present": (
        {"phone": s("Phone"), "email": s("Email", required=when(cond("phone", "is_not")))},
        [{}, {"phone": "1"}, {"phone": "1", "email": "e"}],
    ),
    "required_if_all": (
        {"flag": FLAG, "mode": MODE,
         "email": s("Email", required=when(cond("flag", "is", True), cond("mode", "is", "a")))},
        [{"flag": True, "mode": "a"}, {"flag": True, "mode": "b"}, {"flag": True}],
    ),
    "required_if_any": (
        {"flag": FLAG, "mode": MODE,
         "email": s("Email", required=when(cond("flag", "is", True), cond("mode", "is", "a"), match="any"))},
        [{"flag": True}, {"mode": "a"}, {"mode": "b", "flag": False}, {}],
    ),
    "required_if_several_absent_null_is_present": (
        {"phone": s("Phone", allowNull=True), "flag": FLAG,
         "email": s("Email", required=when(cond("phone", "is"), cond("flag", "is_not"), match="any"))},
        [{"phone": None}, {}, {"flag": False, "phone": "1"}],
    ),
    "required_if_order_before_required": (
        {"email": s("Email", required=when(cond("flag", "is", True))), "flag": FLAG,
         "id": s("Id", required=True), "n": n("N")},
        [{"flag": True, "n": "x"}],
    ),
    "required_if_inside_object": (
        {"user": {"label": "User", "type": "object", "properties": {
            "kind": s("Kind"),
            "email": s("Email", required=when(cond("user.kind", "is", "email")))}}},
        [{"user": {"kind": "email"}}, {"user": {"kind": "phone"}}, {"user": {}},
         {"user": {"kind": "email", "email": "x"}}, {}],
    ),
    "required_if_on_object_child": (
        {"user": {"label": "User", "type": "object", "properties": {"kind": s("Kind")}},
         "email": s("Email", required=when(cond("user.kind", "is", "email")))},
        [{"user": {"kind": "email"}}, {"user": {"kind": "x"}}, {"user": "text"}, {}],
    ),
    "min_max_number": (
        {"n": n("N", minimum=2.5, maximum=10)},
        [{"n": 1}, {"n": 11}, {"n": 2.5}, {"n": "1"}, {"n": "12"}, {"n": 10}],
    ),
    "min_max_string_length": (
        {"s": s("S", minimum=2, maximum=4)},
        [{"s": "a"}, {"s": "abcde"}, {"s": "abc"}, {"s": 12345}, {"s": "😀😀😀😀😀"}, {"s": "é"}],
    ),
    "length_and_format_order": (
        {"e": s("E", maximum=4, format="email"), "c": s("C", maximum=1, choices=["aa", "b"])},
        [{"e": "abcdefg"}, {"e": "a@b.co"}, {"c": "aa"}, {"c": "zzz"}],
    ),
    "format_email": ({"v": s("V", format="email")}, [{"v": x} for x in ["a@b.io", "a@b", "a b@c.io", "x@y.z.", 5, "A@B.IO", "a@b.io\n"]]),
    "format_uri": ({"v": s("V", format="uri")}, [{"v": x} for x in ["https://x.io/a?b#c", "x", "mailto:a@b", "//x", "http://[::1]/", "http://a b"]]),
    "format_uri_reference": ({"v": s("V", format="uri-reference")}, [{"v": x} for x in ["/a/b", "a b", "#frag", "http://x"]]),
    "format_date_time": ({"v": s("V", format="date-time")}, [{"v": x} for x in ["2024-01-02T03:04:05Z", "2024-01-02", "2024-13-01T00:00:00Z", "2024-01-02 03:04:05+01:00"]]),
    "format_date": ({"v": s("V", format="date")}, [{"v": x} for x in ["2024-02-29", "2023-02-29", "2024-1-1"]]),
    "format_time": ({"v": s("V", format="time")}, [{"v": x} for x in ["10:00:00", "25:00:00", "10:00:00.5+01:00"]]),
    "format_hostname": ({"v": s("V", format="hostname")}, [{"v": x} for x in ["example.com", "-bad.com", "a" * 64 + ".com"]]),
    "format_ipv4": ({"v": s("V", format="ipv4")}, [{"v": x} for x in ["1.2.3.4", "256.1.1.1", "1.2.3"]]),
    "format_ipv6": ({"v": s("V", format="ipv6")}, [{"v": x} for x in ["::1", "2001:db8::8a2e:370:7334", "1:2:3", "12345::"]]),
    "format_uuid": ({"v": s("V", format="uuid")}, [{"v": x} for x in ["123e4567-e89b-12d3-a456-426614174000", "urn:uuid:123e4567-e89b-12d3-a456-426614174000", "123"]]),
    "format_regex": ({"v": s("V", format="regex")}, [{"v": x} for x in ["^a+$", "(a", "a\\Z"]]),
    "format_uri_template": ({"v": s("V", format="uri-template")}, [{"v": x} for x in ["/x/{id}", "/x/{id", "a b"]]),
    "format_with_allow_null": ({"v": s("V", format="email", allowNull=True)}, [{"v": None}, {"v": "x"}]),
    "additional_properties_object": (
        {"o": {"label": "O", "type": "object", "additionalProperties": True,
               "properties": {"k": n("K")}}},
        [{"o": {"k": "1", "extra": {"z": None}}}, {"o": {"k": "x", "q": 1}}],
    ),
    "additional_properties_multiple_objects": (
        {"o": {"label": "O", "type": "object", "multiple": True, "additionalProperties": True,
               "properties": {"k": n("K")}}},
        [{"o": [{"k": "1", "q": {"z": 1}}]}, {"o": {"k": 2, "q": 3}}],
    ),
    "closed_object_drops_unknown_keys": (
        {"o": {"label": "O", "type": "object", "properties": {"k": n("K")}}},
        [{"o": {"k": "1", "q": {"z": 1}}}],
    ),
}


def validation_requests() -> list[dict[str, Any]]:
    return [
        {"kind": "validate", "name": name, "fields": fields, "payload": payload}
        for name, (fields, payloads) in VALIDATION.items()
        for payload in payloads
    ]


# Fields whose reference JSON Schema (``fieldsToJsonSchema``) is compared with ours.
SCHEMAS = [
    "required_if_value_is", "required_if_value_is_not", "required_if_absent",
    "required_if_present", "required_if_all", "required_if_any",
    "required_if_several_absent_null_is_present", "required_if_inside_object",
    "required_if_on_object_child", "min_max_number", "min_max_string_length",
    "length_and_format_order", "format_email", "additional_properties_object",
]


def schema_requests() -> list[dict[str, Any]]:
    return [{"kind": "schema", "name": name, "fields": VALIDATION[name][0]} for name in SCHEMAS]


LIQUID_EVENT = {
    "type": "track", "userId": "u1", "event": "Order Completed",
    "traits": {"name": "ada lovelace", "age": 36, "score": 1.0, "ratio": 1.5, "big": 1e21,
               "tags": ["a", "b"], "nested": [["a", "b"], "c", None], "obj": {"x": 1},
               "ok": True, "none": None, "email": " A@B.io "},
}
LIQUID_TEMPLATES = [
    "Hi {{ traits.name }}", "{{ traits.name | upcase }}", "{{ traits.missing }}",
    "{{ traits.missing.deeper }}", "{{ traits.age | plus: 1 }}", "{{ traits.score }}",
    "{{ traits.ratio }}", "{{ traits.big }}", "{{ traits.tags }}", "{{ traits.nested }}",
    "{{ traits.obj }}", "{{ traits.ok }}", "{{ traits.none }}",
    "{% if traits.age > 30 %}old{% else %}young{% endif %}",
    "{% assign x = traits.name | split: ' ' %}{{ x | first }}", "{{ traits.tags | join: ',' }}",
    "{{ traits.tags | size }}", "{{ traits.email | downcase | strip }}",
    "{{ traits.age | times: 2.5 }}", "{{ 10 | divided_by: 4 }}", "{{ traits.age | divided_by: 0 }}",
    "{{ traits.name | capitalize }}", "{{ traits.name | truncate: 5 }}",
    "{{ traits.name | replace: 'a', 'b' }}", "{{ traits.none | default: 'd' }}",
    "{{ traits.ratio | round }}", "{{ traits.name | size }}",
    "{% capture c %}{{ userId }}!{% endcapture %}{{ c }}", "{% unless traits.ok %}no{% endunless %}yes",
    "{{ 'x' | append: userId | prepend: '>' }}", "{{ traits.name | slice: 0, 3 }}",
    "{{ traits.tags[1] }}", "{{ traits.tags.first }}", "{{ traits.tags.size }}",
    "{% raw %}{{x}}{% endraw %}", "{% comment %}x{% endcomment %}y", "{{ traits.name | nosuchfilter }}",
    "{{ 1.0 }}", "{{ traits.obj | json }}", "{{ traits.tags | json }}",
    "{{ '2024-01-02T03:04:05Z' | date: '%Y-%m-%d' }}", "{{ traits.name | url_encode }}",
    "{% increment i %}{% increment i %}", "{% cycle 'a','b' %}{% cycle 'a','b' %}",
    "{% echo userId %}", "{% liquid\necho traits.score\n%}", "{{ traits.name | sha256 }}",
    "{{ '12.7' | to_integer }}", "", "plain text", "x" * 1000,
    # refused by the sandbox
    "x" * 1001, "{% for t in traits.tags %}{{t}}{% endfor %}",
    "{% case traits.age %}{% when 36 %}y{% endcase %}", "{% include 'x' %}", "{% render 'x' %}",
    "{% layout 'x' %}", "{% tablerow t in traits.tags %}{{t}}{% endtablerow %}",
    "ok {{ userId }} {{ traits.tags | map: 'x' }}", "{{ traits.tags | sort }}",
    "{{ traits.tags | reverse }}", "{{ traits.tags | uniq }}",
    "{{ traits.tags | concat: traits.tags }}", "{{ traits.name | newline_to_br }}",
    "{{ traits.tags | where_exp: 'x', 'x' }}", "{{ traits | type }}",
    "{% liquid\nfor t in traits.tags\necho t\nendfor\n%}",
    # syntax errors (the reference's words are liquidjs', ours python-liquid's)
    "{{ traits.name", "{% if %}",
]


def liquid_requests() -> list[dict[str, Any]]:
    requests = [
        {"kind": "map", "name": "liquid", "mapping": {"v": {"@liquid": t}}, "event": LIQUID_EVENT}
        for t in LIQUID_TEMPLATES
    ]
    for template in (5, {"@path": "$.x"}, ["x"]):
        requests.append({"kind": "map", "name": "liquid_not_a_string",
                         "mapping": {"v": {"@liquid": template}}, "event": LIQUID_EVENT})
    return requests


NULLS = {"n": None, "s": "AbC", "o": {"k": None, "j": 1}}
# name -> (mapping value of field "v", event, what this project gives when it deliberately
# differs: docs/field-model.md#differences-from-the-reference; absent: the reference's answer)
MAPPING: list[tuple[str, Any, Any, Any]] = [
    ("null_path", {"@path": "$.n"}, NULLS, {}),
    ("null_path_in_case", {"@case": {"operator": "lower", "value": {"@path": "$.n"}}}, NULLS, {}),
    ("null_path_in_json_encode", {"@json": {"mode": "encode", "value": {"@path": "$.n"}}}, NULLS, {}),
    ("null_path_in_json_decode", {"@json": {"mode": "decode", "value": {"@path": "$.n"}}}, NULLS, {}),
    ("null_path_in_json_object", {"@json": {"mode": "encode", "value": {"a": {"@path": "$.n"}}}},
     NULLS, {"v": "{}"}),
    ("null_path_in_object", {"a": {"@path": "$.n"}, "b": 1}, NULLS, {"v": {"b": 1}}),
    ("null_path_in_flatten", {"@flatten": {"separator": ".", "value": {"@path": "$.n"}}}, NULLS, {}),
    ("null_path_in_exclude_when_null", {"@excludeWhenNull": {"@path": "$.n"}}, NULLS, None),
    ("null_member_in_exclude_when_null", {"@excludeWhenNull": {"a": {"@path": "$.n"}, "b": 1}},
     NULLS, None),
    ("null_members_of_an_object_in_exclude_when_null", {"@excludeWhenNull": {"@path": "$.o"}},
     NULLS, None),
    ("null_members_kept_in_json", {"@json": {"mode": "encode", "value": {"@path": "$.o"}}}, NULLS, None),
    ("null_path_in_if", {"@if": {"exists": {"@path": "$.n"}, "then": "y", "else": "n"}}, NULLS, None),
    ("root_dollar_dot", {"@path": "$."}, NULLS, None),
    ("root_dollar", {"@path": "$"}, {"s": 1}, {"v": {"s": 1}}),
    ("event_not_an_object", {"@path": "$.x"}, 5, {}),
    ("event_an_array", {"@path": "$.x"}, [1], {}),
]
TRIGGERS = [
    ("type = ", {"type": "track"}), ("type = ", {}), ("type != ", {"type": "track"}),
    ('type = "track" and event = ', {"type": "track"}),
]


def mapping_requests() -> list[dict[str, Any]]:
    requests = []
    for name, value, event, ours in MAPPING:
        request = {"kind": "map", "name": name, "mapping": {"v": value}, "event": event}
        if ours is not None:
            request["ours"] = ours
        requests.append(request)
    requests += [
        {"kind": "fql", "name": "trigger_without_value", "fql": fql, "event": event,
         "ours": "TriggerSyntaxError"}
        for fql, event in TRIGGERS
    ]
    return requests


def run_oracle(oracle: Path, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shutil.copy(HERE / "oracle_fields.js", oracle / "fields.js")
    text = "".join(json.dumps(r) + "\n" for r in requests)
    done = subprocess.run(
        ["node", "fields.js"], input=text, cwd=oracle, capture_output=True, text=True,
        check=True, timeout=300,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def write(name: str, requests: list[dict[str, Any]], answers: list[dict[str, Any]]) -> None:
    cases = []
    for request, answer in zip(requests, answers, strict=True):
        if answer.get("messages"):
            answer.pop("error", None)
        cases.append({**{k: v for k, v in request.items() if k != "ours"}, "expected": answer})
        if "ours" in request:  # a deliberate difference: this project's answer, beside it
            cases[-1]["ours"] = request["ours"]
    path = CASES / f"{name}.json"
    path.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{path}: {len(cases)} cases")


def main() -> None:
    oracle = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/oracle-fields")
    CASES.mkdir(exist_ok=True)
    batches = {
        "validation": validation_requests(), "schema": schema_requests(),
        "liquid": liquid_requests(), "mapping": mapping_requests(),
    }
    for name, requests in batches.items():
        write(name, requests, run_oracle(oracle, requests))


if __name__ == "__main__":
    main()
