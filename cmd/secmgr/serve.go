package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
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
		UsageText: "secmgr serve [--addr 127.0.0.1:8437] [--token TOKEN] [--max-upload MiB]",
		Description: "Serves a code-free console for the environment (--env) in the browser: pick areas and\n" +
			"wildcard filters and export; upload an edited workbook, review its findings and plan, and\n" +
			"apply exactly that plan; see the history and undo an apply; explain a user or group; read\n" +
			"the audit. It uses the same planning and the same locked, journaled apply as the command\n" +
			"line. It listens on loopback only unless --addr says otherwise; any other address needs an\n" +
			"access token (--token, or one is generated and printed). Stop it with Ctrl-C.\n\n" +
			"Example:\n" +
			"   secmgr serve --env examples/golfstream/environment.json\n" +
			"   (open http://127.0.0.1:8437/ in a browser)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8437", Usage: "the `HOST:PORT` to listen on"},
			&cli.StringFlag{Name: "token", Usage: "the access `TOKEN` every request must carry (required beyond loopback)"},
			&cli.IntFlag{Name: "max-upload", Value: 64, Usage: "the largest workbook accepted, in `MiB`"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[--addr HOST:PORT]"); err != nil {
				return err
			}
			_, envPath, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			addr, token := cmd.String("addr"), cmd.String("token")
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return fail("--addr %q: %v", addr, err)
			}
			loopback := host == "localhost"
			if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
				loopback = true
			}
			if !loopback && token == "" {
				b := make([]byte, 18)
				rand.Read(b)
				token = hex.EncodeToString(b)
			}
			srv, err := console.New(console.Options{EnvPath: envPath, Token: token, MaxUpload: int64(cmd.Int("max-upload")) << 20})
			if err != nil {
				return fail("%v", err)
			}
			defer srv.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fail("cannot listen on %s: %v", addr, err)
			}
			hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
				WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute}
			url := "http://" + ln.Addr().String() + "/"
			if token != "" {
				url += "?token=" + token
			}
			fmt.Fprintln(a.stdout, url)
			a.logger().Info("serving the console", zap.String("env", envPath), zap.String("addr", ln.Addr().String()), zap.Bool("token", token != ""))
			ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				hs.Shutdown(shut)
			}()
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fail("%v", err)
			}
			return nil
		},
	}
}
