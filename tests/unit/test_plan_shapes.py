"""railcheck.plan: Railpack's plan as railpack.json shapes it (layers, inputs, kept steps, step outputs)."""

from __future__ import annotations

from railcheck import plan
from railcheck.plan import after_first, certainly_kept_steps, first_input, layers, read_layer, step_outputs


def test_read_layer_follows_railpacks_forms() -> None:
    assert read_layer("/x", ".").includes == (".",)
    assert read_layer("/x", "...").kind == "spread"
    assert read_layer("/x", {"step": "web", "spread": True}).kind == "spread"
    assert (read_layer("/x", "$web").kind, read_layer("/x", "$web").source) == ("step", "web")
    assert read_layer("/x", "$").kind == "empty"
    assert read_layer("/x", {"local": False}).kind == "empty"
    assert read_layer("/x", "build").kind == "invalid"
    assert read_layer("/x", {"step": "web", "include": "."}).kind == "invalid"
    # Go matches keys ignoring case; the step pointer follows the key as written.
    layer = read_layer("/x", {"Step": "web", "Include": ["out"]})
    assert (layer.source, layer.step_pointer, layer.includes) == ("web", "/x/Step", ("out",))


def test_after_first_and_first_input() -> None:
    listed = layers({"inputs": [None, {"step": "install"}, "$build", "."]}, "inputs", "/steps/a")
    assert first_input(listed) is listed[1]
    assert after_first(listed, deploy=False) == listed[2:]
    spread = layers({"inputs": ["...", "$build"]}, "inputs", "/steps/a")
    assert first_input(spread) is None and after_first(spread, deploy=False) == spread[1:]
    assert after_first(spread, deploy=True) == spread[1:]


def test_certainly_kept_steps() -> None:
    steps = {
        "a": {"commands": ["x"]},
        "b": {"deployOutputs": [], "commands": ["x"]},
        "c": {"deployOutputs": [{"include": ["o"]}]},
    }
    assert certainly_kept_steps({"steps": steps}) == {"a", "c"}
    assert certainly_kept_steps({"steps": steps, "deploy": {"inputs": ["..."]}}) == {"a", "c"}
    replaced = {
        "steps": {**steps, "d": {"inputs": [{"step": "b"}]}},
        "deploy": {"inputs": [{"step": "d", "include": ["."]}]},
    }
    assert certainly_kept_steps(replaced) == {"b", "c", "d"}


def test_step_outputs_are_what_the_commands_write() -> None:
    step = {
        "commands": [
            "...",
            {"src": "a", "dest": "b"},
            {"path": "/etc/app.conf", "name": "conf"},
            {"path": "/app/bin"},
            "mkdir -p dist && vite build --outDir=web && tsc -o out/app.js > build.log < input.txt",
            "echo $(",
        ]
    }
    assert step_outputs(step) == ("b", "/etc/app.conf", "dist", "web", "build.log", "out/app.js")


def test_generated_step_names_per_provider() -> None:
    assert plan.possible_generated_steps("python") == plan.ALWAYS_POSSIBLE_STEPS
    assert "prune" in plan.possible_generated_steps("node") and "prune" not in plan.possible_generated_steps("php")
    assert plan.possible_generated_steps(None) == plan.EVERY_GENERATED_STEP
    assert set(plan.PROVIDER_STEPS) == {
        "php",
        "golang",
        "java",
        "rust",
        "ruby",
        "elixir",
        "python",
        "deno",
        "dotnet",
        "node",
        "gleam",
        "cpp",
        "staticfile",
        "shell",
    }
