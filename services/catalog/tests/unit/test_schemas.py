import pytest
from marshmallow import ValidationError

from catalog.api.schemas import ProcedureInputSchema, flatten_messages


def test_nested_messages_become_dotted_paths():
    nested = {
        "eform": {"fields": {1: {"type": ["x"]}, 3: {"options": {0: {"label": ["y"]}}}}},
        "level": ["z"],
    }
    assert flatten_messages(nested) == {
        "eform.fields.1.type": ["x"],
        "eform.fields.3.options.0.label": ["y"],
        "level": ["z"],
    }


def test_procedure_schema_reports_nested_errors_with_the_domain_paths():
    body = {
        "code": "1.000001",
        "name": "X",
        "field": "Y",
        "level": 3,
        "online_mode": "mot_phan",
        "applicants": ["a"],
        "steps": ["b"],
        "agencies": ["000.00.00.H26"],
        "methods": [{"channel": "fax"}],
        "eform": {"fields": [{"name": "a", "type": "image", "label": "A", "colour": 1}]},
    }
    with pytest.raises(ValidationError) as caught:
        ProcedureInputSchema().load(body)
    assert set(caught.value.messages) == {
        "methods.0.channel",
        "eform.fields.0.type",
        "eform.fields.0.colour",
    }
