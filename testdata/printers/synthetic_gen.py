#!/usr/bin/env python3
"""Writes the hostile synthetic recordings (synthetic_secret_*, synthetic_supply_500,
synthetic_alert_flood, synthetic_bidi) described in SYNTHETIC.md.

Run from this directory: python3 synthetic_gen.py. The files are the source of
truth for the tests; this script only documents how they were made and lets
them be remade. Records are written in OID order, as snmpsimd requires.
"""

SYS_DESCR, SYS_OID, SYS_UPTIME, SYS_NAME = "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0"
HR_DESCR, HR_STATUS = "1.3.6.1.2.1.25.3.2.1.3.1", "1.3.6.1.2.1.25.3.2.1.5.1"
HR_PRT_STATUS, HR_ERR = "1.3.6.1.2.1.25.3.5.1.1.1", "1.3.6.1.2.1.25.3.5.1.2.1"
PRT_NAME, PRT_SERIAL = "1.3.6.1.2.1.43.5.1.1.16.1", "1.3.6.1.2.1.43.5.1.1.17.1"
IN_MAX, IN_LEVEL, IN_NAME = "1.3.6.1.2.1.43.8.2.1.9.1", "1.3.6.1.2.1.43.8.2.1.10.1", "1.3.6.1.2.1.43.8.2.1.13.1"
SUP = "1.3.6.1.2.1.43.11.1.1"  # .c.1.i: 4 class, 5 type, 6 description, 7 unit, 8 max, 9 level
CONSOLE = "1.3.6.1.2.1.43.16.5.1.2.1"
ALERT = "1.3.6.1.2.1.43.18.1.1"  # .c.1.i: 2 severity, 4 group, 7 code, 8 description


def text(v):
    """A string value: plain when it is printable ASCII without '|', else hex."""
    b = v.encode("utf-8") if isinstance(v, str) else v
    if all(0x20 <= c < 0x7F for c in b) and b"|" not in b and not b.startswith(b" ") and not b.endswith(b" "):
        return "4", b.decode()
    return "4x", b.hex()


def write(name, recs):
    def key(r):
        return tuple(int(x) for x in r[0].split("."))
    with open(name, "w") as f:
        for oid, tag, val in sorted(recs, key=key):
            f.write(f"{oid}|{tag}|{val}\n")


def s(oid, v):
    tag, val = text(v)
    return (oid, tag, val)


def i(oid, v):
    return (oid, "2", str(v))


def base(descr, name):
    return [s(SYS_DESCR, descr), (SYS_OID, "6", "1.3.6.1.4.1.99999.9"), (SYS_UPTIME, "67", "4200"),
            s(SYS_NAME, name), i(HR_STATUS, 2), (HR_ERR, "4x", "00")]


def supply(idx, descr, level, max_, typ=3, klass=3):
    return [i(f"{SUP}.4.1.{idx}", klass), i(f"{SUP}.5.1.{idx}", typ), s(f"{SUP}.6.1.{idx}", descr),
            i(f"{SUP}.7.1.{idx}", 19), i(f"{SUP}.8.1.{idx}", max_), i(f"{SUP}.9.1.{idx}", level)]


def tray(idx, name, level, max_):
    return [i(f"{IN_MAX}.{idx}", max_), i(f"{IN_LEVEL}.{idx}", level), s(f"{IN_NAME}.{idx}", name)]


def alert(idx, sev, code, descr, group=5):
    return [i(f"{ALERT}.2.1.{idx}", sev), i(f"{ALERT}.4.1.{idx}", group), i(f"{ALERT}.7.1.{idx}", code),
            s(f"{ALERT}.8.1.{idx}", descr)]


# The community of synthetic_secret_long; SYNTHETIC.md and the tests use it.
LONG = "Vq7#Lm2!Xw9"
# The community of synthetic_secret_spaces: two spaces after "Vq7".
SPACES = "Vq7  Lm2 Xw9"

# A 2,000-character sysDescr that ends with the community. Escape sequences
# and a run of white space, which the sanitiser removes or folds, come first,
# so after sanitising the community starts at rune 249 and straddles the
# 256-rune cut.
filler = "\x1b[0m" * 300 + " " * 500
descr = "Printer " + filler + "X" * 240 + " " + LONG
descr = descr[:8] + " " * (2000 - len(descr)) + descr[8:]
assert len(descr) == 2000 and descr.endswith(LONG)
long_recs = base(descr, "N" * (2000 - len(LONG)) + LONG)
long_recs += [s(HR_DESCR, "Office MFP 2000"), s(PRT_SERIAL, "SN-" + LONG[:7])]
# A supply description of 8,180 bytes of escape sequences, then the
# community: the probe keeps 8 KiB of a value, so the raw cut falls inside
# the community unless it is scrubbed first.
long_recs += supply(1, "\x1b[0m" * 2045 + LONG + " toner", 50, 100)
long_recs += tray(1, "Tray 1", 100, 500)
long_recs += alert(1, 4, 1104, "Low toner, community " + LONG)
long_recs += [s(f"{CONSOLE}.1", "Call admin, community " + LONG[:5]), s(f"{CONSOLE}.2", LONG[5:] + " READY")]
write("synthetic_secret_long.snmprec", long_recs)

sp = base("Printer for Vq7 Lm2 Xw9 only", "Vq7\tLm2 Xw9")
sp += [s(HR_DESCR, "MFP Vq7\r\n  Lm2 Xw9"), s(PRT_SERIAL, "Vq7Lm2Xw9")]
sp += supply(1, "Black Toner", 60, 100)
sp += alert(1, 4, 1, "Login Vq7\u200b Lm2 Xw9 refused")
sp += [s(f"{CONSOLE}.1", "User Vq7  Lm2"), s(f"{CONSOLE}.2", "Xw9 READY")]
write("synthetic_secret_spaces.snmprec", sp)

s5 = base("Broken Gauge Printer", "gauge")
s5 += supply(1, "Black Toner", 500, 100)
s5 += supply(2, "Cyan Toner", 2147483647, 1)
s5 += supply(3, "Waste Toner Box", 900, 100, typ=4, klass=4)
s5 += supply(4, "Magenta Toner", 40, 100)
s5 += tray(1, "Tray 1", 9999, 500)
write("synthetic_supply_500.snmprec", s5)

fl = base("Flood Printer", "flood")
fl[-1] = (HR_ERR, "4x", "ff" * 40)
for n in range(1, 101):
    fl += supply(n, f"Part {n} unit", 50, 100, typ=1, klass=3)
for n in range(1, 41):
    fl += tray(n, f"Tray {n}", 100, 500)
for n in range(1, 5001):
    if n == 300:
        fl += alert(n, 3, 8, "Paper jam in tray 2 area", group=13)
    elif n == 301:
        fl += alert(n, 4, 1104, "Yellow toner low", group=11)
    else:
        fl += [i(f"{ALERT}.2.1.{n}", 1), i(f"{ALERT}.7.1.{n}", 1), s(f"{ALERT}.8.1.{n}", f"Event {n}")]
for n in range(1, 101):
    fl += [s(f"{CONSOLE}.{n}", f"Panel line {n}")]
write("synthetic_alert_flood.snmprec", fl)

bidi = "\u202e\u061c\u200b\ufeff"
esc = "\x1b[31m\x1b]0;pwned\x07\x1b[2J"
bd = base("Bidi" + bidi + " Printer" + esc + " Model", "bidi" + bidi)
bd += [s(HR_DESCR, "Bidi" + bidi + " MFP" + esc)]
bd += supply(1, "Black" + bidi + " Toner" + esc, 5, 100)
bd += tray(1, "Tray" + bidi + "1" + esc, 0, 250)
bd += tray(2, "Tray" + bidi + "2", 100, 250)
bd += alert(1, 4, 1, "Call" + bidi + " service" + esc)
bd += [s(f"{CONSOLE}.1", "READY" + bidi + esc), s(f"{CONSOLE}.2", esc + "\u202e" + "evil" + "\u061c" + "line")]
write("synthetic_bidi.snmprec", bd)
