"""Dynamic fields: choices a destination fetches from its vendor when a config is checked.

A field marked ``dynamic`` has a hook in its action's ``dynamic_fields`` (the reference's
``dynamicFields``) that asks the vendor, with the configured settings, which values the field
may take now (lists, audiences, custom attributes). Hooks run at config time only, never per
event: ``actions-core validate`` checks literal mapping values against the answers, and
``actions-core describe --config`` shows them. A hook that fails (the vendor is down, the
token is refused) is a warning, not an invalid config: the answer is not known, so the value
cannot be said to be wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actions_core.definitions import DynamicChoices, ExecutionContext
from actions_core.errors import ActionsCoreError

if TYPE_CHECKING:
    from actions_core.instance import Instance

DynamicAnswers = dict[tuple[str, str], DynamicChoices]
"""(action key, field key) -> what the field's hook answered."""


def fetch_dynamic_choices(instance: Instance) -> DynamicAnswers:
    """Ask every dynamic field's hook once, with the instance's settings. Errors (an HTTP
    failure, say) become the answer's ``error``, secrets redacted."""
    from actions_core.http.client import RequestClient
    from actions_core.redaction import Redactor

    destination = instance.destination
    wanted = [
        (action, field.key)
        for action in destination.actions
        for field in action.fields
        if field.dynamic and field.key in action.dynamic_fields
    ]
    if not wanted:
        return {}
    redactor = Redactor(instance.secrets)
    answers: DynamicAnswers = {}
    with RequestClient(defaults=instance.request_defaults, redactor=redactor) as client:
        ctx = ExecutionContext(settings=instance.settings, request=client.session())
        for action, key in wanted:
            try:
                answers[(action.key, key)] = action.dynamic_fields[key](ctx)
            except ActionsCoreError as exc:
                answers[(action.key, key)] = DynamicChoices(error=redactor.redact(str(exc)))
    return answers


def dynamic_problems(instance: Instance, answers: DynamicAnswers) -> list[str]:
    """Literal mapping values of dynamic fields that are not among the fetched choices."""
    problems = []
    for sub in instance.subscriptions:
        for key, value in sub.mapping.constants.items():
            answer = answers.get((sub.action.key, key))
            if answer is None or answer.error is not None:
                continue
            allowed = [c.value for c in answer.choices]
            for item in value if isinstance(value, list) else [value]:
                if item not in allowed:
                    listed = ", ".join(repr(v) for v in allowed) or "none"
                    problems.append(
                        f"mapping {sub.name!r}: field {key!r}: {item!r} is not one of the "
                        f"choices {instance.destination.slug} offers now ({listed})"
                    )
    return problems


__all__ = ["DynamicAnswers", "dynamic_problems", "fetch_dynamic_choices"]
