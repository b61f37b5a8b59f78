// Command mockoidc runs github.com/oauth2-proxy/mockoidc as an OIDC issuer on 127.0.0.1 over
// HTTPS, for the loopback sign-on test (test/tools/sign-on-loopback.test.ts).
//
// It serves the issuer with a self-signed certificate for 127.0.0.1, writes that certificate to
// -ca-out (the test points oauth2-proxy's SSL_CERT_FILE at it), and prints one JSON line on
// stdout: {"issuer": ..., "control": ...}. The control address takes POST /user with a JSON body
// {"subject", "email", "groups"}: the next sign-in returns that user.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	clientID := flag.String("client-id", "", "the client id the issuer accepts")
	clientSecret := flag.String("client-secret", "", "the client secret the issuer accepts")
	caOut := flag.String("ca-out", "", "where to write the issuer's certificate (PEM)")
	flag.Parse()
	if *clientID == "" || *clientSecret == "" || *caOut == "" {
		log.Fatal("-client-id, -client-secret and -ca-out are required")
	}

	cert, err := selfSigned(*caOut)
	if err != nil {
		log.Fatal(err)
	}
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		log.Fatal(err)
	}
	m.ClientID, m.ClientSecret = *clientID, *clientSecret
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	// Start serves plain HTTP on the listener it is given and only notes the TLS config for the
	// issuer's scheme: the listener itself terminates TLS.
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	if err := m.Start(tls.NewListener(ln, tlsConfig), tlsConfig); err != nil {
		log.Fatal(err)
	}

	control, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user", func(w http.ResponseWriter, r *http.Request) {
		var u struct {
			Subject string   `json:"subject"`
			Email   string   `json:"email"`
			Groups  []string `json:"groups"`
		}
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.QueueUser(&mockoidc.MockUser{
			Subject: u.Subject, Email: u.Email, EmailVerified: true,
			PreferredUsername: u.Subject, Groups: u.Groups,
		})
		w.WriteHeader(http.StatusNoContent)
	})
	line, _ := json.Marshal(map[string]string{"issuer": m.Issuer(), "control": "http://" + control.Addr().String()})
	fmt.Println(string(line))
	log.Fatal(http.Serve(control, mux))
}

// selfSigned makes a certificate for 127.0.0.1 and writes it to path.
func selfSigned(path string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mockoidc"},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
