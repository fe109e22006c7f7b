from app.sim import LEVELS
from app.sim.devices import dedicated, partitioned, shared, spooled
from app.sim.interception import INTERCEPTION

from .helpers import DISK, of, run, status

LP = {"id": "lp0", "type": "printer", "pages_per_minute": 30}
NIC = {"id": "nic0", "type": "nic"}
KBD = {"id": "kbd0", "type": "keyboard", "owner": "vm1"}
WRITE = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 10, "count": 1}


def ports(trace, request):
    return [(t.detail["port"], t.detail["value"]) for t in of(trace, request, "vmm_trap")]


def test_io_operation_traps_every_ata_register_access():
    trace = run([DISK], [WRITE], level="io_operation")
    assert ports(trace, "r1") == [
        ("0x1F6", 0xE0),  # drive/head, LBA mode
        ("0x1F2", 1),  # sector count
        ("0x1F3", 10),  # LBA low
        ("0x1F4", 0),
        ("0x1F5", 0),
        ("0x1F7", 0x30),  # WRITE SECTORS
        ("0x1F7", 0x58),  # status poll: DRQ
        ("0x1F0", 256),  # rep outsw of one sector
        ("0x1F7", 0x50),  # status read acknowledges the interrupt
    ]
    assert trace.requests[0].traps == 9
    model = of(trace, "r1", "device_model")[0]
    assert "rebuilds the request from 6 register accesses" in model.summary


def test_the_vmm_checks_a_pio_write_when_the_command_is_written_before_any_data():
    trace = run([DISK], [WRITE], level="io_operation")
    stages = [(h.stage, h.detail.get("port")) for h in of(trace, "r1")]
    command = stages.index(("vmm_trap", "0x1F7"))
    mapping = stages.index(("physical_mapping", None))
    data = stages.index(("vmm_trap", "0x1F0"))
    assert command < mapping < data


def test_a_refused_pio_write_sends_no_data():
    past_the_end = WRITE | {"block": 4095, "count": 2}
    trace = run([DISK], [past_the_end], level="io_operation")
    assert status(trace, "r1") == "out_of_range"
    assert ports(trace, "r1") == [
        ("0x1F6", 0xE0),
        ("0x1F2", 2),
        ("0x1F3", 0xFF),
        ("0x1F4", 0x0F),
        ("0x1F5", 0),
        ("0x1F7", 0x30),  # WRITE SECTORS: the VMM refuses it here
        ("0x1F7", 0x51),  # the driver reads ERR
        ("0x1F1", 0x10),  # and IDNF
    ]
    assert trace.requests[0].traps == 8


def test_one_guest_drives_its_controller_one_command_at_a_time():
    second = WRITE | {"block": 20}
    other_guest = WRITE | {"guest": "vm2"}
    trace = run([DISK], [WRITE, second, other_guest], level="io_operation")
    first_done = of(trace, "r1", "status_reply")[0].t_us
    # vm1's second command touches no register before its first has completed ...
    assert all(t.t_us >= first_done for t in of(trace, "r2", "vmm_trap"))
    (driver,) = of(trace, "r2", "guest_driver")
    assert driver.t_us == first_done and driver.detail["waited_us"] == first_done
    assert f"after waiting {first_done} µs" in driver.summary
    assert (
        trace.requests[1].latency_us > trace.requests[1].overhead_us + trace.requests[1].device_us
    )
    # ... while vm2, with its own controller, writes its registers meanwhile
    assert of(trace, "r3", "vmm_trap")[0].t_us < first_done
    assert of(trace, "r3", "guest_driver")[0].detail["waited_us"] == 0


def test_an_injected_interrupt_charges_no_eoi_exit_it_does_not_count():
    # APICv-style virtual EOI: injection costs 1 µs and no exit, so every
    # charged exit is a counted trap
    trace = run([DISK], [WRITE], level="device_driver")
    (interrupt,) = of(trace, "r1", "interrupt")
    assert interrupt.detail["cost_us"] == 1
    record = trace.requests[0]
    assert (record.traps, record.overhead_us) == (1, 2 + 1)  # notify exit + paravirtual, inject


def test_device_driver_level_is_one_trap_carrying_the_whole_request():
    trace = run([DISK], [WRITE], level="device_driver")
    (trap,) = of(trace, "r1", "vmm_trap")
    assert trap.detail["request"] == {"type": "VIRTIO_BLK_T_OUT", "sector": 10, "count": 1}
    assert trace.requests[0].traps == 1


def test_system_call_level_for_a_guest_os_the_vmm_knows():
    trace = run([DISK], [WRITE], level="system_call")
    (trap,) = of(trace, "r1", "vmm_trap")
    assert trap.detail["syscall"] == "pwrite64" and trap.detail["os_known"] is True
    assert trap.detail["args"] == {"fd": 3, "bytes": 512, "offset": 5120}
    assert status(trace, "r1") == "ok"


def test_system_call_level_for_an_unknown_guest_os_ends_with_unknown_guest_os():
    item = WRITE | {"guest": "vm2"}
    trace = run([DISK], [item], level="system_call")
    assert status(trace, "r1") == "unknown_guest_os"
    stages = [h.stage for h in of(trace, "r1")]
    assert stages == ["guest_app", "vmm_trap", "status_reply"]


def test_an_item_can_override_the_scenario_level():
    trace = run([DISK], [WRITE, WRITE | {"level": "io_operation", "at_us": 5}])
    assert [r.level for r in trace.requests] == ["device_driver", "io_operation"]
    assert {h.level for h in of(trace, "r2")} == {"io_operation"}


def test_forcing_a_level_overrides_every_item():
    trace = run([DISK], [WRITE | {"level": "io_operation"}], force_level="system_call")
    assert trace.requests[0].level == "system_call"


def test_a_printed_page_costs_thousands_of_traps_at_io_operation_level():
    item = {"op": "print", "guest": "vm1", "device": "lp0", "pages": 2}
    io = run([LP], [item], level="io_operation").requests[0]
    driver = run([LP], [item], level="device_driver").requests[0]
    assert io.traps == 2 * 4 * 2000 + 1
    assert driver.traps == 1
    assert io.overhead_us > 1000 * driver.overhead_us


def test_each_kind_of_request_traps_more_at_io_operation_than_at_device_driver():
    workload = [
        WRITE,
        {"op": "disk_read", "guest": "vm1", "device": "disk0", "block": 1, "count": 3},
        {"op": "net_send", "guest": "vm1", "device": "nic0", "dst_ip": "192.0.2.1", "bytes": 3000},
        {"op": "print", "guest": "vm1", "device": "lp0", "pages": 1},
        {"op": "key_press", "device": "kbd0", "key": "a"},
    ]
    devices = [DISK, NIC, LP, KBD]
    io = run(devices, workload, force_level="io_operation").requests
    driver = run(devices, workload, force_level="device_driver").requests
    # printing is the VMM's own work on the real printer: no guest, no trap, at any level
    assert [r.traps for r in io + driver if r.op == "print_out"] == [0, 0]
    io = [r for r in io if r.op != "print_out"]
    driver = [r for r in driver if r.op != "print_out"]
    for fine, whole in zip(io, driver, strict=True):
        assert fine.traps > whole.traps, fine.op
        assert fine.overhead_us > whole.overhead_us, fine.op


def test_the_printer_call_is_not_likened_to_the_reader_spool_diagnose():
    # DIAGNOSE X'14' reads VM/370's *input* spool files; CP spooled a virtual
    # printer's output from the SIO channel programs it intercepted
    item = {"op": "print", "guest": "vm1", "device": "lp0", "pages": 1}
    (trap,) = of(run([LP], [item], level="device_driver"), "r1", "vmm_trap")
    assert "X'14'" not in trap.detail["request"]["like"]
    assert "SIO" in trap.detail["request"]["like"]


def test_every_level_has_its_row_in_the_interception_table_and_each_devices_wording():
    tables = {
        "INTERCEPTION": INTERCEPTION,
        "DISK_WORDING": partitioned.DISK_WORDING,
        "REBUILT": shared.REBUILT,
        "RELEASED": spooled.RELEASED,
        "INPUT_MODEL": dedicated.INPUT_MODEL,
    }
    for name, table in tables.items():
        assert sorted(table) == sorted(LEVELS), name
