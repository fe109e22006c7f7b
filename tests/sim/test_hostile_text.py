"""Hostile scenario text is a problem with its place, never an exception from a parser."""

import json

import pytest

from app.sim import ScenarioError, load_scenario, load_scenario_data, parse_item
from app.sim.parsing import MAX_DEPTH, parse_json, parse_yaml

GOOD = {
    "name": "ok",
    "guests": [{"id": "vm1", "os": "linux", "mac": "52:54:00:00:00:01", "ip": "10.0.0.1"}],
    "devices": [{"id": "lp0", "type": "printer"}],
    "workload": [{"at_us": 0, "guest": "vm1", "op": "print", "device": "lp0", "pages": 1}],
}


def problems_of(text: str, *, is_json: bool = False) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(text, is_json=is_json)
    return caught.value.problems


def test_deeply_nested_yaml_names_the_line_and_column():
    assert problems_of("[" * 2000) == [
        f"line 1, column {MAX_DEPTH + 1}: not valid YAML (nested more than {MAX_DEPTH} levels deep)"
    ]


def test_deeply_nested_block_yaml_names_where_it_goes_too_deep():
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(3000))
    (problem,) = problems_of(text)
    assert problem == (
        f"line {MAX_DEPTH}, column {2 * MAX_DEPTH - 1}: "
        f"not valid YAML (nested more than {MAX_DEPTH} levels deep)"
    )


def test_deeply_nested_json_names_the_line_and_column():
    assert problems_of('{"name":\n' + "[" * 2000, is_json=True) == [
        f"line 2, column {MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep"
    ]


def test_nesting_through_anchors_is_refused_by_field_path():
    inner = "[" * 20 + "1" + "]" * 20
    text = f"name: &deep {inner}\ndescription: " + "[" * 20 + "*deep" + "]" * 20
    (problem,) = problems_of(text)
    assert problem.startswith("description[0]") and problem.endswith(
        f"nested more than {MAX_DEPTH} levels deep"
    )


@pytest.mark.parametrize("is_json", [False, True])
def test_a_5000_digit_integer_is_a_problem_at_its_field(is_json):
    data = {**GOOD, "workload": [{**GOOD["workload"][0], "pages": 0}]}
    text = json.dumps(data).replace('"pages": 0', '"pages": ' + "9" * 5000)
    assert problems_of(text, is_json=is_json) == [
        "workload[0].pages: a number of 5,000 digits is too long (at most 30)"
    ]


def test_a_huge_hexadecimal_yaml_integer_is_refused_too():
    text = json.dumps(GOOD).replace('"pages": 1', '"pages": 0x' + "f" * 5000)
    assert problems_of(text) == [
        "workload[0].pages: a number of 5,000 digits is too long (at most 30)"
    ]


@pytest.mark.parametrize("is_json", [False, True])
def test_a_nul_in_a_field_is_a_problem_at_its_field(is_json):
    text = json.dumps({**GOOD, "name": "a\x00b"})  # "\u0000": valid JSON and YAML escapes
    assert problems_of(text, is_json=is_json) == [
        "name: contains a NUL character (\\0), which no text may hold"
    ]


def test_a_raw_nul_byte_in_yaml_names_its_line_and_column():
    assert problems_of("name: ok\nguests: a\x00b\n") == [
        "line 2, column 10: not valid YAML (character U+0000 is not allowed)"
    ]


def test_a_nul_in_a_key_is_refused_and_the_path_shows_it_escaped():
    with pytest.raises(ScenarioError) as caught:
        parse_json('{"k\\u0000": 1}')
    assert caught.value.problems == [
        "k\\x00: contains a NUL character (\\0), which no text may hold"
    ]


@pytest.mark.parametrize(
    ("text", "is_json", "problem"),
    [
        ('{"name": "x", "seed": Infinity}', True, "seed: inf is not a finite number"),
        ('{"name": "x", "seed": -Infinity}', True, "seed: -inf is not a finite number"),
        ('{"name": "x", "seed": NaN}', True, "seed: nan is not a finite number"),
        ('{"name": "x", "seed": 1e999}', True, "seed: inf is not a finite number"),
        ("name: x\nseed: .inf\n", False, "seed: inf is not a finite number"),
        ("name: x\nseed: .nan\n", False, "seed: nan is not a finite number"),
    ],
)
def test_infinity_and_nan_are_problems_at_their_field(text, is_json, problem):
    assert problems_of(text, is_json=is_json) == [problem]


def test_an_impossible_date_is_a_problem_with_its_place():
    assert problems_of("name: x\nseed: 2001-13-01\n") == [
        "line 2, column 7: not valid YAML ('2001-13-01' cannot be read (month must be in 1..12))"
    ]


def test_an_exercise_import_with_variants_infinity_is_refused_by_path():
    # The web's JSON imports read through the same parser.
    with pytest.raises(ScenarioError) as caught:
        parse_json(b'{"format": "iovlab-exercise/1", "variants": Infinity}')
    assert caught.value.problems == ["variants: inf is not a finite number"]


def test_an_anchor_used_a_billion_times_is_checked_once_per_object():
    # "billion laughs": 9 levels of 9 references each; the parser shares, and so does the check.
    lines = ["a0: &a0 [x]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)
    ]
    assert len(parse_yaml("\n".join(lines))["a9"]) == 9


def test_ordinary_text_still_loads():
    assert parse_yaml(json.dumps(GOOD)) == GOOD == parse_json(json.dumps(GOOD))
    assert load_scenario(json.dumps(GOOD)).name == "ok"


def test_a_command_with_a_nul_or_a_non_finite_number_is_refused_by_path():
    scenario = load_scenario(
        json.dumps(GOOD | {"devices": [{"id": "kbd0", "type": "keyboard"}], "workload": []})
    )
    with pytest.raises(ScenarioError) as caught:
        parse_item(scenario, {"op": "key_press", "device": "kbd0", "key": "a\x00"})
    assert caught.value.problems == [
        "command.key: contains a NUL character (\\0), which no text may hold"
    ]
    with pytest.raises(ScenarioError) as caught:
        parse_item(scenario, {"op": "mouse_move", "device": "kbd0", "dx": float("nan")})
    assert caught.value.problems == ["command.dx: nan is not a finite number"]


def test_already_parsed_scenario_data_is_checked_too():
    with pytest.raises(ScenarioError) as caught:
        load_scenario_data({**GOOD, "description": "x\x00"})
    assert caught.value.problems == [
        "description: contains a NUL character (\\0), which no text may hold"
    ]
