"""The listener tables: every listener named, and every reference a listener takes parsed by
the middleware from the request that carries it."""

import inspect

from handlers import FEATURES
from handlers.references import BY_ACTION, BY_VIEW

LISTENERS = [listener for feature in FEATURES for listener in getattr(feature, "LISTENERS", ())]


def test_every_listener_is_a_module_level_function_of_its_feature():
    for listener in LISTENERS:
        function = listener.function
        assert function.__qualname__ == function.__name__, f"{function.__qualname__} is nested"
        assert "<locals>" not in function.__qualname__


def test_each_reference_a_listener_takes_is_in_the_middlewares_tables():
    taking_ref = [(l, inspect.signature(l.function).parameters["ref"].annotation) for l in LISTENERS
                  if "ref" in inspect.signature(l.function).parameters]
    assert len(taking_ref) >= 20
    for listener, annotation in taking_ref:
        name = annotation if isinstance(annotation, str) else annotation.__name__
        if listener.kind == "view":
            assert BY_VIEW[listener.matcher].__name__ == name, listener
        elif listener.matcher in BY_ACTION:
            assert BY_ACTION[listener.matcher].__name__ == name, listener
        else:  # an action inside a modal reads the modal's reference
            assert name in {carried.__name__ for carried in BY_VIEW.values()}, listener
