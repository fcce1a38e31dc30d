package registry

import "errors"

// DossierPDF renders the file as a PDF in Chinese.
func DossierPDF(d *Dossier, areas *Areas) ([]byte, error) {
	return nil, errors.New("dossier PDF not yet written")
}
