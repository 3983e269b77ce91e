package printermib

import "strconv"

// errorBitNames are the hrPrinterDetectedErrorState bits in MIB order
// (RFC 2790 with the RFC 3805 additions 8–14). Bit 0 is the most
// significant bit of the first octet.
var errorBitNames = []string{
	"lowPaper", "noPaper", "lowToner", "noToner", "doorOpen", "jammed", "offline", "serviceRequested",
	"inputTrayMissing", "outputTrayMissing", "markerSupplyMissing", "outputNearFull", "outputFull",
	"inputTrayEmpty", "overduePreventMaint",
}

// ErrorBitName names bit i of hrPrinterDetectedErrorState; bits the MIB
// does not define are "bit<i>" so they stay visible without a made-up
// meaning.
func ErrorBitName(i int) string {
	if i >= 0 && i < len(errorBitNames) {
		return errorBitNames[i]
	}
	return "bit" + strconv.Itoa(i)
}

// ErrorBits decodes hrPrinterDetectedErrorState: every set bit of every
// octet, most significant bit first, as MIB names in bit order. Agents send
// zero, one or two octets (some more); an empty value means no bits. The
// value is a bit map, not text: 0x20 (lowToner) is not a space.
func ErrorBits(b []byte) []string {
	names := []string{}
	for i, octet := range b {
		for bit := 0; bit < 8; bit++ {
			if octet&(0x80>>bit) != 0 {
				names = append(names, ErrorBitName(i*8+bit))
			}
		}
	}
	return names
}
