"""The action server (`python -m rasa_sdk --actions actions`) registers exactly the domain's custom actions."""
from rasa_sdk.executor import ActionExecutor


def domain_custom_actions(domain) -> set[str]:
    names = set()
    for entry in domain["actions"]:  # a name, or {name: {send_domain: true}}
        names.update([entry] if isinstance(entry, str) else entry.keys())
    return names


def test_the_action_package_registers_every_custom_action_of_the_domain(domain):
    executor = ActionExecutor()
    executor.register_package("actions")  # fails if any Action subclass cannot be registered
    assert set(executor.actions) == domain_custom_actions(domain)
