package main

import (
	"net"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestServeToken(t *testing.T) {
	for _, tt := range []struct {
		addr, token   string
		wantToken     string // "*" any generated one
		wantGenerated bool
		wantErr       string
	}{
		{"127.0.0.1:8437", "", "", false, ""},
		{"localhost:8437", "", "", false, ""},
		{"[::1]:8437", "", "", false, ""},
		{"127.0.0.1:8437", "mine", "mine", false, ""},
		{"0.0.0.0:8437", "", "*", true, ""},
		{":8437", "", "*", true, ""},
		{"192.168.1.20:8437", "", "*", true, ""},
		{"192.168.1.20:8437", "mine", "mine", false, ""},
		{"nonsense", "", "", false, "give HOST:PORT"},
	} {
		token, generated, err := serveToken(tt.addr, tt.token)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.addr, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.addr, err)
		case generated != tt.wantGenerated || (tt.wantToken == "*" && len(token) < 32) || (tt.wantToken != "*" && token != tt.wantToken):
			t.Errorf("%s %q: token %q generated %t", tt.addr, tt.token, token, generated)
		}
	}
}

func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "gs.json")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	fails(t, dir, nil, []string{"serve"}, "no environment file")
	fails(t, dir, nil, []string{"serve", "--env", "missing.json"}, "missing.json")
	fails(t, dir, nil, []string{"serve", "--env", "gs.json", "--addr", "nonsense"}, "--addr", "HOST:PORT")
	fails(t, dir, nil, []string{"serve", "--env", "gs.json", "--max-upload", "0"}, "--max-upload")
	fails(t, dir, nil, []string{"serve", "--env", "gs.json", "--addr", busy.Addr().String()}, "cannot listen on "+busy.Addr().String())
	fails(t, dir, nil, []string{"serve", "--env", "gs.json", "extra"}, "too many arguments")
}

func TestServeOpenURL(t *testing.T) {
	for _, tt := range []struct {
		ip, token, want string
		everywhere      bool
	}{
		{"127.0.0.1", "", "http://127.0.0.1:8437/", false},
		{"::1", "", "http://[::1]:8437/", false},
		{"0.0.0.0", "t", "http://127.0.0.1:8437/?token=t", true},
		{"::", "t", "http://127.0.0.1:8437/?token=t", true},
		{"192.168.1.20", "t", "http://192.168.1.20:8437/?token=t", false},
	} {
		url, everywhere := openURL(&net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 8437}, tt.token)
		if url != tt.want || everywhere != tt.everywhere {
			t.Errorf("%s: %s %t, want %s %t", tt.ip, url, everywhere, tt.want, tt.everywhere)
		}
	}
}

func TestServeHosts(t *testing.T) {
	name, _ := os.Hostname()
	for _, tt := range []struct {
		addr     string
		given    []string
		want     []string // in order, at the start
		anyOther bool     // more may follow (this machine's addresses)
		wantErr  string
	}{
		{"127.0.0.1:8437", nil, nil, false, ""},
		{"localhost:8437", nil, nil, false, ""},
		{"[::1]:8437", []string{"secmgr.example.org"}, []string{"secmgr.example.org"}, false, ""},
		{"192.168.1.20:8437", nil, []string{"192.168.1.20"}, false, ""},
		{"console.lan:8437", []string{"a.example:443"}, []string{"a.example:443", "console.lan"}, false, ""},
		{"0.0.0.0:8437", nil, []string{name}, true, ""},
		{":8437", nil, []string{name}, true, ""},
		{"127.0.0.1:8437", []string{"a b"}, nil, false, "--host"},
		{"127.0.0.1:8437", []string{"http://a.example/"}, nil, false, "--host"},
	} {
		got, err := serveHosts(tt.addr, tt.given)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s %v: error %v, want %q", tt.addr, tt.given, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s %v: %v", tt.addr, tt.given, err)
		case len(got) < len(tt.want) || (!tt.anyOther && len(got) != len(tt.want)) || !slices.Equal(got[:len(tt.want)], tt.want):
			t.Errorf("%s %v: hosts %q, want %q", tt.addr, tt.given, got, tt.want)
		}
		for _, h := range got {
			if h == "127.0.0.1" || h == "::1" {
				t.Errorf("%s: a loopback address among the extra hosts: %q", tt.addr, got)
			}
		}
	}
}
