package input

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// ReadCAs reads the PEM certificates of a CA file (--ca-file, a check
// file's ca_file) through ReadFile: a regular file of at most MaxCA
// bytes, or one clear error naming it. Blocks other than CERTIFICATE are
// skipped; a file without any certificate is an error.
func ReadCAs(path string) ([]*x509.Certificate, error) {
	b, _, err := ReadFile(path, MaxCA)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", Name(path), strings.Join(strings.Fields(err.Error()), " "))
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate", Name(path))
	}
	return certs, nil
}
