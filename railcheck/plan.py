"""Railpack's build plan as a service's railpack.json shapes it: the step names Railpack's providers generate,
the layers railpack.json lists (step references and what each copies), which configured steps certainly stay
in the plan, and the paths a configured step's commands are known to create.

Facts come from Railpack at commit b5e80580 (docs/railpack-facts.md, "The build plan"). Pure functions of a
railpack.json value, except `certain_provider`, which reads the service's facts.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, NamedTuple

from railcheck.sources.text import join_pointer

if TYPE_CHECKING:
    from railcheck.model import Project, Service

SPREAD = "..."
# Steps any service may have whatever its provider: the mise step (every provider and every new step starts
# from it), the apt steps (RAILPACK_BUILD_APT_PACKAGES / RAILPACK_DEPLOY_APT_PACKAGES or railpack.json), and
# `install` / `build`, which RAILPACK_INSTALL_CMD, RAILPACK_BUILD_CMD and `--build-cmd` create (core/core.go).
ALWAYS_POSSIBLE_STEPS = frozenset({"packages:mise", "packages:apt:build", "packages:apt:runtime", "install", "build"})
# The further steps each provider may generate, some only under conditions (core/providers/<name>/*.go).
PROVIDER_STEPS: dict[str, frozenset[str]] = {
    "php": frozenset({"prepare", "extensions", "install:composer", "install:node", "prune:node", "packages:image"}),
    "golang": frozenset(),
    "java": frozenset({"packages:mise:runtime"}),
    "rust": frozenset(),
    "ruby": frozenset({"install:node", "prune:node", "build:node"}),
    "elixir": frozenset({"install:node"}),
    "python": frozenset(),
    "deno": frozenset(),
    "dotnet": frozenset(),
    "node": frozenset({"prune", "caddy", "packages:caddy"}),
    "gleam": frozenset({"packages:mise:runtime"}),
    "cpp": frozenset(),
    "staticfile": frozenset({"packages:caddy"}),
    "shell": frozenset(),
}
EVERY_GENERATED_STEP = ALWAYS_POSSIBLE_STEPS.union(*PROVIDER_STEPS.values())
# An item of a step's list as `walk.step_items` gives it: (step name, step, item pointer, item).
StepItem = tuple[str, dict[str, Any], str, Any]


def possible_generated_steps(provider: str | None) -> frozenset[str]:
    """The step names Railpack may generate for a service built by `provider`; every provider's when unknown."""
    if provider is None:
        return EVERY_GENERATED_STEP
    return ALWAYS_POSSIBLE_STEPS | PROVIDER_STEPS[provider]


def certain_provider(service: Service, project: Project) -> str | None:
    """The Railpack provider that builds the service when railcheck can be sure of it, else None.

    A valid `provider` in railpack.json decides (compared ignoring case, as Railpack does); otherwise the one
    railcheck's facts detected. An unknown `provider` name is None: RP002 reports it, and guessing here would
    only add findings about the same mistake.
    """
    from railcheck.facts import facts

    config = service.railpack.value if service.railpack is not None and isinstance(service.railpack.value, dict) else {}
    forced = field(config, "provider")
    if isinstance(forced, str) and forced:
        return forced.casefold() if forced.casefold() in PROVIDER_STEPS else None
    detected = facts(service, project).provider
    name = detected.value.casefold() if detected is not None else None
    return name if name in PROVIDER_STEPS else None


# The three functions below run for every rule that reads railpack.json, on every service (about 50,000 calls
# on 1,000 services): the exact key is looked up first, and only a miss walks the keys.


def field(container: dict[str, Any], name: str) -> Any:
    """`container[name]` as Go's decoder reads it: the exact key, else the last key equal ignoring case."""
    if name in container:
        return container[name]
    for key in reversed(container):
        if key.casefold() == name:
            return container[key]
    return None


def field_key(container: dict[str, Any], name: str) -> str | None:
    """The key of `container` that Go's decoder reads as `name`, if any."""
    if name in container:
        return name
    for key in reversed(container):
        if key.casefold() == name:
            return key
    return None


def field_pointer(container: Any, parent: str, name: str) -> str:
    """The pointer of `container`'s field `name` (at `parent`) as written (`/Deploy` for `{"Deploy": ...}`), so
    findings and fixes land on the key Railpack reads."""
    key = field_key(container, name) if isinstance(container, dict) else None
    return join_pointer(parent, key if key is not None else name)


class Layer(NamedTuple):
    """One layer written in railpack.json (a step input, `deploy.inputs` item or `deploy.base`), as Railpack reads it.

    `kind` is "spread" (`"..."`), "step", "image", "local", "empty" (dropped by Railpack: `null`,
    `{"local": false}`, `"$"`) or "invalid" (RP002 reports it). `step_pointer` locates the step name.
    """

    pointer: str
    kind: str
    source: str | None = None  # the step or image name
    step_pointer: str | None = None
    includes: tuple[str, ...] | None = None  # None when `include` is absent

    @property
    def copies_nothing(self) -> bool:
        """Whether the layer, placed after a step's first input, copies no files: Railpack copies only the
        paths in `include` (buildkit/build_llb/layers.go, `copyLayerPaths`)."""
        return self.kind in ("step", "image", "local") and not self.includes


def read_layer(pointer: str, value: Any) -> Layer:
    """The layer written at `pointer`, read as Railpack's `Layer.UnmarshalJSON` reads it (core/plan/layer.go)."""
    if value is None:
        return Layer(pointer, "empty")
    if isinstance(value, str):
        if value == SPREAD:
            return Layer(pointer, "spread")
        if value == ".":
            return Layer(pointer, "local", includes=(".",))
        if value.startswith("$"):
            return Layer(pointer, "step", value[1:], pointer) if value[1:] else Layer(pointer, "empty")
        return Layer(pointer, "invalid")
    if not isinstance(value, dict):
        return Layer(pointer, "invalid")
    include = field(value, "include")
    if include is not None and not (isinstance(include, list) and all(isinstance(item, str) for item in include)):
        return Layer(pointer, "invalid")
    includes = tuple(include) if include is not None else None
    if field(value, "spread") is True:
        return Layer(pointer, "spread")
    step, image, local = field(value, "step"), field(value, "image"), field(value, "local")
    if isinstance(step, str) and step:
        return Layer(pointer, "step", step, join_pointer(pointer, field_key(value, "step") or "step"), includes)
    if isinstance(image, str) and image:
        return Layer(pointer, "image", image, includes=includes)
    if local is True:
        return Layer(pointer, "local", includes=includes)
    if step in (None, "") and image in (None, "") and local in (None, False):
        return Layer(pointer, "empty")
    return Layer(pointer, "invalid")


def layers(container: Any, key: str, pointer: str) -> list[Layer]:
    """The layers of the list `container[key]` (a step's `inputs`, `deploy.inputs`); [] when it is not a list."""
    items = field(container, key) if isinstance(container, dict) else None
    if not isinstance(items, list):
        return []
    base = field_pointer(container, pointer, key)
    return [read_layer(join_pointer(base, index), item) for index, item in enumerate(items)]


def first_input(listed: list[Layer]) -> Layer | None:
    """The written layer that becomes a step's first input; None when a leading `"..."` puts generated inputs first."""
    written = next((layer for layer in listed if layer.kind != "empty"), None)
    return None if written is None or written.kind == "spread" else written


def after_first(listed: list[Layer], *, deploy: bool) -> list[Layer]:
    """The layers that Railpack places after the first input of their list, so they are copied onto it.

    Deploy inputs all follow `deploy.base`. In a step, a leading `"..."` brings the generated inputs first
    (every generated step and every new step has at least one); empty layers are dropped before counting.
    """
    placed = 1 if deploy else 0
    following = []
    for layer in listed:
        if layer.kind == "empty":
            continue
        if placed and layer.kind != "spread":
            following.append(layer)
        placed += 1
    return following


def configured_steps(config: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """railpack.json's steps by name, as (pointer, step object)."""
    steps = field(config, "steps") if isinstance(config, dict) else None
    if not isinstance(steps, dict):
        return {}
    pointer = field_pointer(config, "", "steps")
    return {name: (join_pointer(pointer, name), step) for name, step in steps.items() if isinstance(step, dict)}


def applies_config(name: str) -> bool:
    """Whether Railpack certainly applies railpack.json's settings for step `name`: the `packages:*` steps it
    generates (mise, caddy, image) are not command steps, so their settings are skipped with a warning
    (core/generate/context.go, `applyConfig`); such names are left alone rather than judged."""
    return not name.startswith("packages:")


def deploy_layers(config: Any) -> list[Layer]:
    """`deploy.base` (if written) and `deploy.inputs`, as layers."""
    base, inputs, _ = _deploy(config)
    return ([base] if base is not None else []) + inputs


def _deploy(config: Any) -> tuple[Layer | None, list[Layer], bool]:
    """`deploy.base` as a layer (None when not written), `deploy.inputs` as layers, and whether the image keeps
    Railpack's generated layers: `deploy.inputs` is absent (or not a list) or has a `"..."`."""
    deploy = field(config, "deploy") if isinstance(config, dict) else None
    if not isinstance(deploy, dict):
        return None, [], True
    pointer = field_pointer(config, "", "deploy")
    base = field(deploy, "base")
    inputs = layers(deploy, "inputs", pointer)
    keeps_generated = not isinstance(field(deploy, "inputs"), list) or any(layer.kind == "spread" for layer in inputs)
    base_layer = read_layer(field_pointer(deploy, pointer, "base"), base) if base is not None else None
    return base_layer, inputs, keeps_generated


def keeps_generated_deploy(config: Any) -> bool:
    """Whether the image keeps Railpack's generated layers: `deploy.inputs` is absent or has a `"..."`."""
    return _deploy(config)[2]


class StepPlan(NamedTuple):
    """railpack.json's steps and deploy layers, read once per service (`Project.derived.step_plan`): RP111 and
    RP112 walk the same layers, and reading them per rule repeated about fifty lookups per service.

    A named tuple, like `Layer`: every run imports this module, and creating a frozen dataclass's methods
    would cost it about a million instructions each."""

    steps: dict[str, tuple[str, dict[str, Any]]]  # configured steps by name, as (pointer, step object)
    inputs: dict[str, list[Layer]]  # each configured step's `inputs`, as layers
    base: Layer | None  # `deploy.base`, when written
    deploy_inputs: list[Layer]
    keeps_generated: bool  # `keeps_generated_deploy`
    kept: frozenset[str]  # `certainly_kept_steps`

    @property
    def deploy_layers(self) -> list[Layer]:
        return ([self.base] if self.base is not None else []) + self.deploy_inputs


def read_step_plan(config: Any) -> StepPlan:
    """The steps and deploy layers of a railpack.json value, and which configured steps certainly stay.

    Railpack drops every step the image does not reach (`BuildPlan.Normalize`). A configured step reaches it
    when `deploy` names it, when its `deployOutputs` are non-empty, or, while the generated deploy is kept,
    unless `deployOutputs` is `[]` (core/generate/context.go, `applyConfig`); then through the steps it
    names as inputs. Reaching it only through Railpack's own step inputs is not followed (not certain here).
    """
    steps = configured_steps(config)
    inputs = {name: layers(step, "inputs", pointer) for name, (pointer, step) in steps.items()}
    base, deploy_inputs, keeps_generated = _deploy(config)
    kept = {
        layer.source
        for layer in ([base] if base is not None else []) + deploy_inputs
        if layer.source is not None and layer.kind == "step" and layer.source in steps and applies_config(layer.source)
    }
    for name, (_, step) in steps.items():
        outputs = field(step, "deployOutputs")
        if applies_config(name) and ((isinstance(outputs, list) and outputs) or (keeps_generated and outputs is None)):
            kept.add(name)
    pending = list(kept)
    while pending:
        for layer in inputs[pending.pop()]:
            if (
                layer.kind == "step"
                and layer.source in steps
                and layer.source not in kept
                and applies_config(layer.source)
            ):
                kept.add(layer.source)
                pending.append(layer.source)
    return StepPlan(steps, inputs, base, deploy_inputs, keeps_generated, frozenset(kept))


def find_step_plan(service: Service) -> StepPlan | None:
    """The service's `StepPlan`; None without a railpack.json object. `Project.derived` calls it once per service."""
    document = service.railpack
    if document is None or not isinstance(document.value, dict):
        return None
    return read_step_plan(document.value)


def find_step_commands(service: Service) -> tuple[StepItem, ...]:
    """(step name, step, pointer, command) for each command of each railpack.json step, in order; () without a
    railpack.json object. `Project.derived` calls it once per service: four RP rules read the commands."""
    from railcheck.walk import step_items

    document = service.railpack
    if document is None or not isinstance(document.value, dict):
        return ()
    return tuple(step_items(document.value, "commands"))


def certainly_kept_steps(config: Any) -> set[str]:
    """Configured steps that are certainly part of the final plan (see `read_step_plan`)."""
    return set(read_step_plan(config).kept)


def step_outputs(step: dict[str, Any]) -> tuple[str, ...]:
    """Paths a configured step's commands are known to write: copy and file command destinations, and in shell
    commands redirection targets, `mkdir` arguments and `-o`/`--output`/`--out-dir`/`--outDir` values."""
    found: list[str] = []
    commands = field(step, "commands")
    for command in commands if isinstance(commands, list) else ():
        if isinstance(command, dict):
            target = command.get("dest") if "src" in command else command.get("path") if "name" in command else None
            if isinstance(target, str) and target:
                found.append(target)
        elif isinstance(command, str) and command != SPREAD:
            found.extend(_shell_outputs(command))
    return tuple(dict.fromkeys(found))


_OUTPUT_OPTIONS = frozenset(
    {"-o", "--out", "--output", "--out-dir", "--outdir", "--outDir", "--output-dir", "--dist-dir"}
)


def _shell_outputs(text: str) -> list[str]:
    from railcheck.sources.shell import parse_shell
    from railcheck.sources.text import ParseFailure

    script = parse_shell(text)
    if isinstance(script, ParseFailure):
        return []
    found = []
    for command in script.commands:
        # Only output redirections write a file; `< file` reads one.
        found += [
            word.text
            for word in command.redirects
            if word.static and word.text != "/dev/null" and text[: word.start].rstrip().endswith(">")
        ]
        words = [word for word in command.words if word.static]
        if words and words[0].text == "mkdir":
            found += [word.text for word in words[1:] if not word.text.startswith("-")]
        for previous, word in itertools.pairwise(words):
            if previous.text in _OUTPUT_OPTIONS:
                found.append(word.text)
        for word in words:
            option, equals, value = word.text.partition("=")
            if equals and option in _OUTPUT_OPTIONS and value:
                found.append(value)
    return found


def layer_brings(layer: Layer, steps: dict[str, tuple[str, dict[str, Any]]]) -> str:
    """What `layer`, copied after the first input, brings, in words (for `explain-service`)."""
    if layer.kind == "spread":
        return (
            "Railpack's generated layers (for most providers the runtime tools, the installed dependencies and the"
            " built app)"
        )
    if layer.kind == "empty":
        return "nothing (Railpack drops an empty layer)"
    if layer.kind == "invalid":
        return "nothing: Railpack cannot read this layer and the build fails"
    origin = {"step": f"step `{layer.source}`", "image": f"image `{layer.source}`", "local": "the repository"}[
        layer.kind
    ]
    if layer.kind == "step" and layer.source not in steps and layer.source not in EVERY_GENERATED_STEP:
        return f"nothing: there is no step `{layer.source}`"
    if layer.copies_nothing:
        return f"nothing from {origin} (no `include`)"
    return f"{', '.join(f'`{path}`' for path in layer.includes or ())} from {origin}"


def added_step_outputs(config: Any) -> list[tuple[str, tuple[str, ...]]]:
    """The layers Railpack adds to the image for configured steps on its own, as (step, included paths):
    a step's `deployOutputs`, or, while the generated deploy is kept and `deploy` does not name the step,
    a new step's whole `/app` (core/generate/context.go, `applyConfig`; a generated step's output is in the
    generated layers already, or added the same way)."""
    keeps_generated = keeps_generated_deploy(config)
    named = {layer.source for layer in deploy_layers(config) if layer.kind == "step"}
    added = []
    for name, (_, step) in configured_steps(config).items():
        if not applies_config(name):
            continue
        outputs = field(step, "deployOutputs")
        if isinstance(outputs, list):
            paths = [
                path
                for output in outputs
                if isinstance(output, dict)
                for path in field(output, "include") or []
                if isinstance(path, str)
            ]
            if paths:
                added.append((name, tuple(paths)))
        elif keeps_generated and name not in named and name not in EVERY_GENERATED_STEP:
            added.append((name, (".",)))
    return added
