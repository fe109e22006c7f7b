"""What the core reads from its tables instead of restating them: the device modules'
handlers, the composer's fields from the operations' models."""

from typing import get_args

import pytest

from app.sim.devices import handlers
from app.sim.scenario import CATEGORY_OF_TYPE, OP_DEVICE_TYPES, OP_FIELDS, WorkloadItem


def test_every_operation_on_every_device_type_it_may_address_has_one_handler():
    wanted = {(op, kind) for op, kinds in OP_DEVICE_TYPES.items() for kind in kinds}
    assert set(handlers()) == wanted


def test_every_device_type_is_handled_by_some_device_module():
    assert {kind for _, kind in handlers()} == set(CATEGORY_OF_TYPE)


MODELS = {
    get_args(m.model_fields["op"].annotation)[0]: m for m in get_args(get_args(WorkloadItem)[0])
}


@pytest.mark.parametrize("op", sorted(OP_DEVICE_TYPES))
def test_the_composer_asks_every_field_an_operation_needs_and_only_its_own(op):
    model = MODELS[op]
    offered = set(OP_FIELDS[op])
    assert offered <= set(model.model_fields) - {"op", "device", "at_us", "level"}
    # every field a request cannot go without is asked
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert required - {"op", "device"} <= offered


def test_the_composer_leaves_a_send_buffer_to_its_default():
    assert OP_FIELDS["net_send"] == ("guest", "dst_ip", "bytes")
    assert OP_FIELDS["frame_arrives"] == ("dst_mac", "dst_ip", "bytes")
