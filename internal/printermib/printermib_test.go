package printermib

import (
	"reflect"
	"testing"
)

func TestErrorBits(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []string
	}{
		{"empty string is no bits", []byte{}, []string{}},
		{"nil is no bits", nil, []string{}},
		{"one zero octet", []byte{0x00}, []string{}},
		{"two zero octets", []byte{0x00, 0x00}, []string{}},
		{"lowToner 0x20 is not a space", []byte{0x20, 0x00}, []string{"lowToner"}},
		{"lowPaper is the MSB", []byte{0x80}, []string{"lowPaper"}},
		{"serviceRequested is the LSB of octet 1", []byte{0x01, 0x00}, []string{"serviceRequested"}},
		{"jammed and offline", []byte{0x06}, []string{"jammed", "offline"}},
		{"second octet bits", []byte{0x00, 0x80 | 0x40 | 0x20 | 0x10 | 0x08 | 0x04 | 0x02}, []string{
			"inputTrayMissing", "outputTrayMissing", "markerSupplyMissing", "outputNearFull",
			"outputFull", "inputTrayEmpty", "overduePreventMaint",
		}},
		{"undefined bit 15 stays visible", []byte{0x00, 0x01}, []string{"bit15"}},
		{"third octet", []byte{0x00, 0x00, 0x80}, []string{"bit16"}},
		{"every first-octet bit in order", []byte{0xff}, []string{
			"lowPaper", "noPaper", "lowToner", "noToner", "doorOpen", "jammed", "offline", "serviceRequested",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorBits(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ErrorBits(% x) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		fn   func(int) string
		in   int
		want string
	}{
		{"device running", DeviceStatusName, 2, "running"},
		{"device down", DeviceStatusName, 5, "down"},
		{"device undefined", DeviceStatusName, 9, ""},
		{"printer idle", PrinterStatusName, 3, "idle"},
		{"printer warmup", PrinterStatusName, 5, "warmup"},
		{"class consumed", SupplyClassName, 3, "consumed"},
		{"class receptacle", SupplyClassName, 4, "receptacle"},
		{"class other", SupplyClassName, 1, "other"},
		{"class undefined is other", SupplyClassName, 7, "other"},
		{"type toner", SupplyTypeName, 3, "toner"},
		{"type tonerCartridge", SupplyTypeName, 21, "tonerCartridge"},
		{"type staples", SupplyTypeName, 32, "staples"},
		{"type undefined", SupplyTypeName, 99, ""},
		{"unit percent", SupplyUnitName, 19, "percent"},
		{"unit tenthsOfGrams", SupplyUnitName, 13, "tenthsOfGrams"},
		{"severity critical", AlertSeverityName, 3, "critical"},
		{"severity warning", AlertSeverityName, 4, "warning"},
		{"severity binary change", AlertSeverityName, 5, "warningBinaryChangeEvent"},
		{"severity other", AlertSeverityName, 1, "other"},
		{"group input", AlertGroupName, 8, "input"},
		{"code jam", AlertCodeName, 8, "jam"},
		{"code toner almost empty", AlertCodeName, 1104, "markerTonerAlmostEmpty"},
		{"code undefined", AlertCodeName, 4242, "code4242"},
		{"words jam", AlertCodeWords, 8, "Paper jam"},
		{"words waste full", AlertCodeWords, 1109, "Waste toner box full"},
		{"words undefined", AlertCodeWords, 4242, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTypeGroups(t *testing.T) {
	tests := []struct {
		name            string
		typ             int
		waste, colorant bool
	}{
		{"toner", TypeToner, false, true},
		{"ink cartridge", TypeInkCartridge, false, true},
		{"toner cartridge", TypeTonerCartridge, false, true},
		{"waste toner", TypeWasteToner, true, false},
		{"waste ink", TypeWasteInk, true, false},
		{"drum", 9, false, false},
		{"staples", 32, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsWasteType(tt.typ); got != tt.waste {
				t.Errorf("IsWasteType = %v, want %v", got, tt.waste)
			}
			if got := IsColorant(tt.typ); got != tt.colorant {
				t.Errorf("IsColorant = %v, want %v", got, tt.colorant)
			}
		})
	}
}

func ptr(f float64) *float64 { return &f }

func TestSupplyState(t *testing.T) {
	tests := []struct {
		name       string
		receptacle bool
		level, max int
		wantPct    *float64
		wantState  string
	}{
		{"full toner", false, 100, 100, ptr(100), StateOK},
		{"rounding to one decimal", false, 11501, 12000, ptr(95.8), StateOK},
		{"rounding up", false, 181, 550, ptr(32.9), StateOK},
		{"threshold is inclusive", false, 10, 100, ptr(10), StateLow},
		{"just above threshold", false, 11, 100, ptr(11), StateOK},
		{"epson 1 percent", false, 1, 100, ptr(1), StateLow},
		{"empty", false, 0, 100, ptr(0), StateEmpty},
		{"some remaining -3", false, -3, -2, nil, StateSomeRemaining},
		{"some remaining with real max", false, -3, 150, nil, StateSomeRemaining},
		{"unknown -2", false, -2, -2, nil, StateUnknown},
		{"other -1", false, -1, 100, nil, StateUnknown},
		{"real level, unknown max", false, 100, -2, nil, StateSomeRemaining},
		{"real level, unrestricted max", false, 5, -1, nil, StateSomeRemaining},
		{"zero level, unknown max", false, 0, -2, nil, StateEmpty},
		{"zero max is not a percentage", false, 5, 0, nil, StateSomeRemaining},
		{"receptacle with room", true, 6030, 6700, ptr(90), StateOK},
		{"receptacle full", true, 0, 100, ptr(0), StateFull},
		{"receptacle nearly full", true, 5, 100, ptr(5), StateNearlyFull},
		{"receptacle some space", true, -3, -2, nil, StateSomeRemaining},
		{"receptacle real level unknown max", true, 100, -2, nil, StateSomeRemaining},
		{"receptacle full unknown max", true, 0, -2, nil, StateFull},
		{"receptacle unknown", true, -2, -2, nil, StateUnknown},
		{"level over capacity is clamped", false, 500, 100, ptr(100), StateOK},
		{"huge level is clamped", false, 2147483647, 1, ptr(100), StateOK},
		{"receptacle over capacity is clamped", true, 500, 100, ptr(100), StateOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pct, state := SupplyState(tt.receptacle, tt.level, tt.max, 10)
			if state != tt.wantState {
				t.Errorf("state = %q, want %q", state, tt.wantState)
			}
			switch {
			case (pct == nil) != (tt.wantPct == nil):
				t.Errorf("percent = %v, want %v", fmtPtr(pct), fmtPtr(tt.wantPct))
			case pct != nil && *pct != *tt.wantPct:
				t.Errorf("percent = %v, want %v", *pct, *tt.wantPct)
			}
		})
	}
}

func TestTrayState(t *testing.T) {
	tests := []struct {
		name       string
		level, max int
		want       string
	}{
		{"full tray", 550, 550, StateOK},
		{"empty bypass", 0, 100, StateEmpty},
		{"unknown", -2, 80, StateUnknown},
		{"some paper", -3, 250, StateSomeRemaining},
		{"low", 20, 500, StateLow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := TrayState(tt.level, tt.max, 10); got != tt.want {
				t.Errorf("state = %q, want %q", got, tt.want)
			}
		})
	}
}

func fmtPtr(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"plain", []byte("Black Toner"), "Black Toner"},
		{"trailing NULs", []byte("Black Toner\x00\x00"), "Black Toner"},
		{"latin-1 fallback", []byte("Caf\xe9 Toner"), "Café Toner"},
		{"utf-8 kept", []byte("Tóner negro"), "Tóner negro"},
		{"hp m880 hex dump", []byte("Black Cartridge \n38 32 37 41 20 48 50 20 43 46 33 30 30 41 00 "), "Black Cartridge 827A HP CF300A"},
		{"hp m880 two hex lines", []byte("Magenta Cartridg\n65 20 38 32 37 41 20 48 50 20 43 46 33 30 33 41 \n00 "), "Magenta Cartridge 827A HP CF303A"},
		{"hex dump without trailing space", []byte("Stapler 3 HP CC3\n38 33 41 00"), "Stapler 3 HP CC383A"},
		{"real newline is not a dump", []byte("Line one\nLine two"), "Line one\nLine two"},
		{"hex decoding to control bytes is refused", []byte("x\n1B 5B 32 4A"), "x\n1B 5B 32 4A"},
		{"three-digit groups are refused", []byte("x\n383 32"), "x\n383 32"},
		{"empty", []byte{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestColorFromDescription(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Black Cartridge HP CF400X", "black"},
		{"Toner (Cyan)", "cyan"},
		{"CANON Matte Black Ink Tank", "matte black"},
		{"Magenta Photoconductive Drum", "magenta"},
		{"Imaging Unit", ""},
		{"Blackline fuser", ""},
		{"Waste Toner Container", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ColorFromDescription(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShortName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Black Toner, PN 006R01509;SN48178080E0000481", "Black Toner"},
		{"Fuser, PN unknown;SNunknown", "Fuser"},
		{"Toner (Black)", "Toner (Black)"},
		{"A;B", "A"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ShortName(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
