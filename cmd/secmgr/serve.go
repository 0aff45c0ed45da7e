package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/pkg/console"
)

func serveCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "serve the web console (export, import, history and undo, explain, audit)",
		UsageText: "secmgr serve [--addr 127.0.0.1:8437] [--token TOKEN] [--host NAME]... [--max-upload MiB]",
		Description: "Serves a console for the environment (--env) in the browser, for people who would rather\n" +
			"not use a terminal: pick areas and wildcard filters and export; upload an edited workbook,\n" +
			"review its findings and plan, and apply exactly that plan; see the history and undo an\n" +
			"apply; explain a user or group; read the audit. A JSON API under /api/ does the same for\n" +
			"scripts. It plans and applies with the same code as the command line: the same checks,\n" +
			"the same lock, backup, journal and undo plan.\n\n" +
			"It prints the address to open. It listens on loopback only unless --addr says otherwise;\n" +
			"any other address needs an access token (--token, or one is generated), carried in the\n" +
			"printed address. It speaks plain HTTP: beyond this machine, put it behind a TLS proxy.\n" +
			"It answers only requests addressed to localhost, 127.0.0.1 or [::1] on its port, to the\n" +
			"--addr host, or to a --host name (the name a proxy or DNS gives it), and accepts changes\n" +
			"only from its own pages: another web site, even one resolving to this machine, is refused.\n" +
			"Stop it with Ctrl-C.\n\n" +
			"Example:\n" +
			"   secmgr serve --env examples/golfstream/environment.json\n" +
			"   (then open http://127.0.0.1:8437/ in a browser)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8437", Usage: "the `HOST:PORT` to listen on"},
			&cli.StringFlag{Name: "token", Usage: "the access `TOKEN` every request must carry (required beyond loopback; generated when not given)"},
			&cli.StringSliceFlag{Name: "host", Usage: "also answer requests addressed to `NAME` or NAME:PORT, as a proxy or DNS names the console (repeatable)"},
			&cli.IntFlag{Name: "max-upload", Value: 64, Usage: "the largest workbook or plan accepted, in `MiB`"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[--addr HOST:PORT]"); err != nil {
				return err
			}
			_, envPath, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			if n := cmd.Int("max-upload"); n < 1 || n > 1<<20 {
				return fail("--max-upload %d: give a size in MiB from 1 to 1048576", n)
			}
			addr := cmd.String("addr")
			token, generated, err := serveToken(addr, cmd.String("token"))
			if err != nil {
				return err
			}
			hosts, err := serveHosts(addr, cmd.StringSlice("host"))
			if err != nil {
				return err
			}
			srv, err := console.New(console.Options{EnvPath: envPath, Token: token, Hosts: hosts, MaxUpload: int64(cmd.Int("max-upload")) << 20})
			if err != nil {
				return fail("%v", err)
			}
			defer srv.Close() // (on the early returns)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fail("cannot listen on %s: %v", addr, errors.Unwrap(err))
			}
			hs := &http.Server{
				Handler:           srv.Handler(),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       5 * time.Minute, // a large upload on a slow line
				WriteTimeout:      10 * time.Minute,
				IdleTimeout:       2 * time.Minute,
				MaxHeaderBytes:    64 << 10,
			}
			url, everywhere := openURL(ln.Addr().(*net.TCPAddr), token)
			log := a.logger()
			if generated {
				log.Warn("listening beyond loopback: generated an access token; open the printed address, which carries it", zap.String("addr", ln.Addr().String()))
			}
			if everywhere {
				log.Info("listening on every interface: from another machine, open the printed address with this machine's name in place of 127.0.0.1")
			}
			fmt.Fprintln(a.stdout, url)
			log.Info("serving the console; stop it with Ctrl-C", zap.String("env", envPath), zap.String("addr", ln.Addr().String()), zap.Bool("token", token != ""))
			ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			// Requests still running finish (10 s at most) before Close
			// removes the uploads, so that none writes a file afterwards.
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				<-ctx.Done()
				shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if hs.Shutdown(shut) != nil {
					hs.Close()
				}
			}()
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fail("%v", err)
			}
			<-stopped
			if err := srv.Close(); err != nil {
				log.Warn("could not remove every upload", zap.Error(err))
			}
			log.Info("stopped the console")
			return nil
		},
	}
}

// serveToken returns the access token for serving on addr: the one given,
// none on a loopback address, or a generated one (generated true) on any
// other address — all interfaces included.
func serveToken(addr, token string) (string, bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fail("--addr %q: give HOST:PORT, such as 127.0.0.1:8437 (%v)", addr, err)
	}
	if token != "" || isLoopback(host) {
		return token, false, nil
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", false, fail("cannot generate an access token: %v", err)
	}
	return hex.EncodeToString(b), true, nil
}

// serveHosts are the Host names the console answers besides loopback
// ones: the names given, the --addr host when it is not loopback and, on
// every interface (0.0.0.0, ::), this machine's name and addresses.
func serveHosts(addr string, given []string) ([]string, error) {
	var hosts []string
	for _, h := range given {
		h = strings.TrimSpace(h)
		if h == "" || strings.ContainsAny(h, "/ ") {
			return nil, fail("--host %q: give a host name or address, such as secmgr.example.org or 192.168.1.20:8437", h)
		}
		hosts = append(hosts, h)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fail("--addr %q: give HOST:PORT, such as 127.0.0.1:8437 (%v)", addr, err)
	}
	ip := net.ParseIP(host)
	switch {
	case isLoopback(host):
	case host != "" && (ip == nil || !ip.IsUnspecified()):
		hosts = append(hosts, host)
	default:
		if name, err := os.Hostname(); err == nil && name != "" {
			hosts = append(hosts, name)
		}
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
				hosts = append(hosts, n.IP.String())
			}
		}
	}
	return hosts, nil
}

// isLoopback reports whether host names only this machine's loopback
// interface (an empty host means every interface).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openURL is the address to open in a browser: on every interface
// (0.0.0.0, ::), this machine's loopback address (everywhere true).
func openURL(addr *net.TCPAddr, token string) (url string, everywhere bool) {
	host := addr.IP
	if host.IsUnspecified() {
		host, everywhere = net.IPv4(127, 0, 0, 1), true
	}
	url = "http://" + net.JoinHostPort(host.String(), strconv.Itoa(addr.Port)) + "/"
	if token != "" {
		url += "?token=" + token
	}
	return url, everywhere
}
