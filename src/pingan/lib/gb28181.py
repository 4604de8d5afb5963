"""GB/T 28181 device and channel IDs (国标编码): 20 decimal digits, validated and split.

Pure module (no Django). Layout (GB/T 28181 Annex D, 编码规则A; the usual reading, e.g.
http://www.zhouqishan.cn/2020/10/15/gb28181之国标编码/, and wvp-GB28181-pro ``doc/_content/theory/code.md``)::

    centre (8) + industry (2) + type (3) + network (1) + serial (6)      e.g. 34020000 00 132 0 000101

* centre: the GB/T 2260 administrative code of the centre (province 2, city 2, county 2) followed by 2
  digits for the base-level unit; unused trailing levels are 0. The province must be a real one and the
  non-zero 4- or 6-digit prefix a real (current or historical) GB/T 2260 code.
* type (digits 11–13): 111 DVR … 132 network camera … 200 central signalling server. The meanings of 215 and
  216 changed between editions: in GB/T 28181-2016 215 is a virtual organisation (虚拟组织) and 216 the central
  signalling control server; in GB/T 28181-2022 (Annex J) 215 is a business group (业务分组) and 216 a virtual
  organisation (secondary source: a GB28181 Java library's notes, see shared/reference/standards.md §1.2).
  The edition is a parameter (setting ``PINGAN_GB28181_EDITION``).
* network flag (digit 14): 0–4 surveillance/alarm private network, 5 public-security network, 6 government
  network, 7 Internet (secondary source; kept as given, the flag is reported, not enforced).

:func:`parse` raises :class:`DeviceIdError` with a stable ``code`` and a sentence saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from pingan.lib import adcodes

EDITIONS = ("2016", "2022")

#: Type codes (digits 11–13) common to both editions: (English, Chinese).
TYPES: dict[str, tuple[str, str]] = {
    "111": ("DVR", "硬盘录像机 (DVR)"),
    "112": ("video server", "视频服务器"),
    "113": ("encoder", "编码器"),
    "114": ("decoder", "解码器"),
    "115": ("video switching matrix", "视频切换矩阵"),
    "116": ("audio output device", "音频输出设备"),
    "117": ("alarm controller", "报警控制器"),
    "118": ("NVR", "网络视频录像机"),
    "130": ("hybrid recording device", "混合硬盘录像机"),
    "131": ("camera", "摄像机"),
    "132": ("network camera (IPC)", "网络摄像机"),
    "133": ("display", "显示器"),
    "134": ("alarm input device", "报警输入设备"),
    "135": ("alarm output device", "报警输出设备"),
    "136": ("voice input device", "语音输入设备"),
    "137": ("voice output device", "语音输出设备"),
    "138": ("mobile transmission device", "移动传输设备"),
    "139": ("other peripheral", "其他外围设备"),
    "200": ("central signalling control server", "中心信令控制服务器"),
}

#: The codes whose meaning depends on the edition.
EDITION_TYPES: dict[str, dict[str, tuple[str, str]]] = {
    "2016": {
        "215": ("virtual organisation", "虚拟组织"),
        "216": ("central signalling control server", "中心信令控制服务器"),
    },
    "2022": {"215": ("business group", "业务分组"), "216": ("virtual organisation", "虚拟组织")},
}

NETWORKS: dict[str, str] = {
    **{str(d): "surveillance/alarm private network" for d in range(5)},
    "5": "public-security network",
    "6": "government network",
    "7": "Internet",
}


class DeviceIdError(ValueError):
    """A device ID is not a valid GB/T 28181 ID; ``code`` is stable, the message says what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class DeviceId:
    """A parsed 20-digit ID; ``adcode`` is the 6-digit GB/T 2260 code of the centre (zeros padded)."""

    value: str
    centre: str
    industry: str
    type: str
    network: str
    serial: str
    type_name: str
    type_name_zh: str

    @property
    def adcode(self) -> str:
        return self.centre[:6]

    def __str__(self) -> str:
        return self.value


def type_table(edition: str) -> dict[str, tuple[str, str]]:
    """All known type codes for ``edition`` ("2016" or "2022")."""
    if edition not in EDITIONS:
        raise ValueError(f"GB/T 28181 edition {edition!r}: use 2016 or 2022")
    return {**TYPES, **EDITION_TYPES[edition]}


def parse(value: str, *, edition: str = "2022") -> DeviceId:
    """Validate and split a 20-digit ID. Raises :class:`DeviceIdError` (codes: ``length``, ``not_digits``,
    ``centre``, ``type``)."""
    table = type_table(edition)
    s = str(value).strip()
    if not s.isascii() or not s.isdigit():
        raise DeviceIdError("not_digits", f"device ID {s!r} must be 20 decimal digits (GB/T 28181)")
    if len(s) != 20:
        raise DeviceIdError("length", f"device ID {s!r} has {len(s)} digits; GB/T 28181 IDs have 20")
    centre, industry, type_code, network, serial = s[:8], s[8:10], s[10:13], s[13], s[14:]
    province = centre[:2] + "0000"
    if not adcodes.exists(province):
        raise DeviceIdError(
            "centre",
            f"device ID {s}: centre code {centre} does not start with a GB/T 2260 province code ({centre[:2]} is none)",
        )
    prefix = centre[:6]
    if prefix[2:] != "0000":
        code = prefix if prefix[4:] != "00" else prefix[:4] + "00"
        if not adcodes.exists(code):
            raise DeviceIdError(
                "centre",
                f"device ID {s}: centre code {centre} names {code}, which is not a GB/T 2260 administrative code",
            )
    if type_code not in table:
        raise DeviceIdError(
            "type",
            f"device ID {s}: type code {type_code} (digits 11-13) is not a GB/T 28181 type in the {edition} edition",
        )
    name, name_zh = table[type_code]
    return DeviceId(s, centre, industry, type_code, network, serial, name, name_zh)


def is_valid(value: str, *, edition: str = "2022") -> bool:
    """True when :func:`parse` accepts ``value``."""
    try:
        parse(value, edition=edition)
    except DeviceIdError:
        return False
    return True
