package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// How the console keeps other people and other web sites out:
//
//   - Host check. The console answers only requests addressed to it: Host
//     localhost, 127.0.0.1 or [::1] with the port it listens on, or a name
//     in Options.Hosts (secmgr serve adds the address given to --addr, and
//     --host names). A web site whose name is made to resolve to 127.0.0.1
//     (DNS rebinding) is refused with 421, so it can neither read pages
//     nor post forms as if it were the console.
//   - Origin check. A request that can change anything (POST) from a
//     browser must come from the console's own pages: an Origin header, when
//     present, must name the console, and Sec-Fetch-Site, when present,
//     must be same-origin (or none: typed by the user). A page on another
//     site — or on another port of this machine — is refused with 403.
//   - Access token. With Options.Token set (secmgr serve requires one on any
//     address but loopback), every request must carry it: the header
//     Authorization: Bearer TOKEN, or the cookie set when the browser
//     first opens /?token=TOKEN (the console then redirects to the same
//     page without the token, so it does not stay in the address bar).
//   - CSRF. Every form carries a token: the HMAC-SHA256, under a secret
//     made anew for each server, of a random session cookie (SameSite=Strict,
//     HttpOnly), compared in constant time. A cookie planted by another
//     page (cookies are shared by every port of a host) is useless without
//     the secret. A POST whose token does not match its cookie is refused,
//     before an uploaded file is written anywhere.
//   - API. POSTs under /api/ need the header X-Secmgr-Request: 1, or the
//     bearer token. A cross-site form cannot set a header, and a
//     cross-site script cannot send one without a CORS preflight, which
//     the console never grants.
//   - Bounds. A request body larger than Options.MaxUpload is refused with
//     413 and a message naming --max-upload; secmgr serve sets read and
//     write timeouts on the server. See bounds.go for the rest.
//   - Headers. A Content-Security-Policy allowing only the console's own
//     scripts and styles, no framing, no referrer beyond the console, no sniffing;
//     Content-Disposition names built with mime.FormatMediaType.
//
// What it does not defend against: anyone who can run programs as the
// same user (or as root) on the machine, who can read the token from the
// process's arguments or the browser's cookies, or the environment file
// itself.

const (
	maxForm     = 64 << 10 // the largest form (not an upload) accepted
	csrfCookie  = "secmgr_csrf"
	tokenCookie = "secmgr_token"
	apiHeader   = "X-Secmgr-Request"
)

var (
	errCSRF    = errors.New("the form has expired or did not come from this console; reload the page and try again")
	errTooBig  = errors.New("request body too large")
	msgNoToken = "this console needs its access token: open the address secmgr serve printed (…/?token=…), or send Authorization: Bearer TOKEN"
)

// secure wraps every request: security headers, the Host check, the access
// token, the Origin, API header and CSRF checks on POSTs, and the body
// bounds.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin, not no-referrer: under no-referrer a browser sends
		// "Origin: null" with the console's own forms.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		api := strings.HasPrefix(r.URL.Path, "/api/")
		refuse := func(status int, msg string) {
			if api {
				jsonError(w, status, errors.New(msg))
				return
			}
			http.Error(w, msg, status)
		}
		if !s.hostAllowed(r) {
			refuse(http.StatusMisdirectedRequest, fmt.Sprintf("refused: this console answers only to localhost, 127.0.0.1 and [::1] on its own port, or to the names given with --host, not to Host %q", oneLine(r.Host)))
			return
		}
		if s.opt.Token != "" {
			if t := r.URL.Query().Get("token"); t != "" && equal(t, s.opt.Token) && r.Method == http.MethodGet {
				http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
				q := r.URL.Query()
				q.Del("token")
				http.Redirect(w, r, (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String(), http.StatusSeeOther)
				return
			}
			if !s.authorized(r) {
				refuse(http.StatusUnauthorized, msgNoToken)
				return
			}
		}
		if changes(r.Method) {
			if msg := s.crossOrigin(r); msg != "" {
				refuse(http.StatusForbidden, msg)
				return
			}
		}
		if r.Method == http.MethodPost {
			// Uploads are bounded where they are read (readUpload), so
			// that the rest of an oversized body can be drained and the
			// browser shown the message instead of a broken connection.
			upload := isMultipart(r) && (r.URL.Path == "/import" || r.URL.Path == "/api/plan" || r.URL.Path == "/reconcile" || r.URL.Path == "/api/reconcile")
			limit := s.opt.MaxUpload
			if !api {
				// The console's other forms are a few fields, read before
				// any worker is taken.
				limit = min(limit, maxForm)
			}
			if !upload {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			switch {
			case api && (r.Header.Get(apiHeader) == "1" || s.bearer(r)):
			case api:
				refuse(http.StatusForbidden, "API requests must carry the header "+apiHeader+": 1 (or the bearer token)")
				return
			case upload:
				// The form's CSRF token is checked by readUpload before the
				// file is written.
			default:
				var err error
				if isMultipart(r) {
					err = r.ParseMultipartForm(maxForm)
				} else {
					err = r.ParseForm()
				}
				var mb *http.MaxBytesError
				if errors.As(err, &mb) {
					s.render(w, r, http.StatusRequestEntityTooLarge, "error", "Error", nil, fmt.Sprintf("the form is larger than %s, the most this console accepts for it", mib(limit)))
					return
				}
				if !s.csrfValid(r, r.PostFormValue("csrf")) {
					s.render(w, r, http.StatusForbidden, "error", "Error", nil, errCSRF.Error())
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a request's Host names this console: a
// loopback name on the port the request came in on, or one of
// Options.Hosts.
func (s *Server) hostAllowed(r *http.Request) bool {
	host, port := splitHost(r.Host)
	if loopbackName(host) {
		local := localPort(r)
		return local == "" || port == local || (port == "" && local == "80")
	}
	return s.configuredHost(host, port)
}

// configuredHost reports whether host (and port) is one of Options.Hosts:
// an entry with a port matches that port only.
func (s *Server) configuredHost(host, port string) bool {
	for _, h := range s.opt.Hosts {
		ch, cp := splitHost(h)
		if ch != "" && ch == host && (cp == "" || cp == port) {
			return true
		}
	}
	return false
}

// splitHost splits a Host value into its lower-case name (no brackets, no
// final dot) and its port, if any.
func splitHost(hostport string) (host, port string) {
	host = hostport
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), ".")), port
}

// loopbackName reports whether host is localhost or a loopback address.
func loopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// localPort is the port the request came in on, when the server says.
func localPort(r *http.Request) string {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return ""
	}
	_, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return ""
	}
	return port
}

// changes reports whether a request of this method may change something.
func changes(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// crossOrigin says why a state-changing request came from another web
// page, or "" when it did not: its Origin must name this console, and its
// Sec-Fetch-Site must be same-origin (or none). Clients that send neither
// (scripts, curl) pass: they are not a browser acting for a web page.
func (s *Server) crossOrigin(r *http.Request) string {
	if origin := r.Header.Get("Origin"); origin != "" && !s.ownOrigin(origin, r.Host) {
		return fmt.Sprintf("refused: this request came from %q, another web site; only the console's own pages can change anything", oneLine(origin))
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return fmt.Sprintf("refused: this request came from another web site (Sec-Fetch-Site: %q); only the console's own pages can change anything", oneLine(site))
	}
	return ""
}

// ownOrigin reports whether an Origin header names this console: the
// request's own Host, or one of Options.Hosts (behind a proxy).
func (s *Server) ownOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.User != nil || u.RawQuery != "" {
		return false
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	h, p := splitHost(u.Host)
	return s.configuredHost(h, p)
}

// oneLine bounds a value quoted in a refusal: at most 200 bytes, and %q
// escapes the rest.
func oneLine(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (s *Server) bearer(r *http.Request) bool {
	a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return s.opt.Token != "" && ok && equal(strings.TrimSpace(a), s.opt.Token)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.bearer(r) {
		return true
	}
	c, err := r.Cookie(tokenCookie)
	return err == nil && equal(c.Value, s.opt.Token)
}

// csrfFor is the form token of a CSRF cookie value.
func (s *Server) csrfFor(cookie string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(cookie))
	return hex.EncodeToString(m.Sum(nil))
}

// csrfToken returns the form token for this browser, setting its cookie
// first when it has none.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return s.csrfFor(c.Value)
	}
	v := randomID()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	// Later requests of this page see the new cookie.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: v})
	return s.csrfFor(v)
}

func (s *Server) csrfValid(r *http.Request, token string) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && len(c.Value) == 32 && token != "" && equal(token, s.csrfFor(c.Value))
}

func (s *Server) tooBigMessage() string {
	return fmt.Sprintf("the upload is larger than %s, the most this console accepts; start it with a larger --max-upload to accept it", mib(s.opt.MaxUpload))
}

func mib(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", (n+1023)>>10)
}

// cappedReader reads at most max bytes, then fails with errTooBig.
type cappedReader struct {
	r    io.Reader
	left int64 // max+1 at the start: reading it all means too big
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left <= 0 {
		return n, errTooBig
	}
	return n, err
}

// upload is a workbook received from a multipart form, saved in the
// console's private folder.
type upload struct {
	path   string            // where it is kept
	name   string            // the name it was uploaded under
	fields map[string]string // the form's other fields
}

// maxDrain is how much of an oversized body is read and thrown away so
// that the client gets the 413 message rather than a reset connection.
const maxDrain = 1 << 30

// formFiles says which file parts of a form readForm keeps, and where.
type formFiles struct {
	// path returns where to keep the file part of field (uploaded as
	// name), or "" to read it and throw it away.
	path func(field, name string) string
	// kept is told of each file part kept, once it is whole.
	kept func(field, name, path string)
	// discard removes what was kept, when the form is refused.
	discard func()
	// notForm is the message for a body that is not a multipart form.
	notForm string
}

// readForm streams a multipart form: small fields into memory (returned),
// the file parts files.path chooses into new files (0600) in the private
// upload folder, never anywhere else. With csrf, the form's token must
// come before the first kept file (as the console's forms put it) and
// match; nothing is written otherwise. The body is capped at MaxUpload.
// On error nothing is kept and the status says why: 400, 403 or 413.
func (s *Server) readForm(r *http.Request, csrf bool, files formFiles) (map[string]string, int, error) {
	body := &cappedReader{r: r.Body, left: s.opt.MaxUpload + 1}
	r.Body = io.NopCloser(body) // (the server closes the original)
	fields := map[string]string{}
	fail := func(status int, err error) (map[string]string, int, error) {
		files.discard()
		if errors.Is(err, errTooBig) || body.left <= 0 {
			io.CopyN(io.Discard, body.r, maxDrain)
			return nil, http.StatusRequestEntityTooLarge, errors.New(s.tooBigMessage())
		}
		return nil, status, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(http.StatusBadRequest, errors.New(files.notForm))
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(http.StatusBadRequest, fmt.Errorf("the upload could not be read: %w", err))
		}
		field := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, 4<<10))
			if err != nil {
				return fail(http.StatusBadRequest, fmt.Errorf("the upload could not be read: %w", err))
			}
			fields[field] = string(b)
			continue
		}
		name := filepath.Base(part.FileName())
		path := files.path(field, name)
		if path == "" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return fail(http.StatusBadRequest, fmt.Errorf("the upload could not be read: %w", err))
			}
			continue
		}
		if csrf && !s.csrfValid(r, fields["csrf"]) {
			return fail(http.StatusForbidden, errCSRF)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fail(http.StatusInternalServerError, fmt.Errorf("cannot keep the upload: %w", err))
		}
		_, err = io.Copy(f, part)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return fail(http.StatusBadRequest, fmt.Errorf("the upload of %s could not be read: %w", name, err))
		}
		files.kept(field, name, path)
	}
	if csrf && !s.csrfValid(r, fields["csrf"]) {
		return fail(http.StatusForbidden, errCSRF)
	}
	return fields, http.StatusOK, nil
}

// readUpload reads a form whose "workbook" file part is kept in the
// private upload folder; see readForm.
func (s *Server) readUpload(r *http.Request, csrf bool) (*upload, int, error) {
	up := &upload{}
	fields, status, err := s.readForm(r, csrf, formFiles{
		path: func(field, _ string) string {
			if field != "workbook" || up.path != "" {
				return ""
			}
			return filepath.Join(s.uploads, randomID()+".xlsx")
		},
		kept: func(_, name, path string) { up.name, up.path = name, path },
		discard: func() {
			if up.path != "" {
				os.Remove(up.path)
			}
		},
		notForm: "send the workbook as a file upload (multipart/form-data, field \"workbook\")",
	})
	if err != nil {
		return nil, status, err
	}
	if up.path == "" {
		return nil, http.StatusBadRequest, errors.New("no workbook was uploaded: choose an .xlsx file (form field \"workbook\")")
	}
	up.fields = fields
	return up, http.StatusOK, nil
}
