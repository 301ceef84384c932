package caddymodule_test

// The docs as tests: what an integrator copies from README.md and docs/*.md
// must work as printed. Caddyfile blocks adapt and provision (or fail with
// the error the doc shows), the Caddyfile reference lists exactly the
// subdirectives the parsers accept, every metric the docs name is in a real
// scrape, and every curl runs against its endpoint with the answer shown.
//
// Markers, an HTML comment on the line before a fenced block:
//
//	<!-- snippet: error "text" -->  the block must fail to load; the error
//	                                contains text, which the doc shows too
//	<!-- snippet: syntax -->        a syntax summary (placeholders, a|b):
//	                                every line names a real subdirective

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/crmframe/crmframe/internal/caddyrun"
)

// docBlock is one fenced block of a Markdown file.
type docBlock struct {
	file   string // relative to the repository root
	line   int    // line of the opening fence (1-based)
	lang   string
	body   string // indentation of the fence removed
	marker string // "", "error" or "syntax"
	want   string // error text of an error block
	after  string // the doc's text from the closing fence to the next fenced block or heading
}

func (b docBlock) pos() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

var (
	fenceRE  = regexp.MustCompile("^([ \t]*)```([A-Za-z0-9_-]*)[ \t]*$")
	markerRE = regexp.MustCompile(`(?m)^\s*<!-- snippet: (error|syntax)(?: "((?:[^"\\]|\\.)*)")? -->\s*$`)
)

// docFiles are the user documents, relative to the repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil || len(files) < 5 {
		t.Fatalf("docs/*.md: %v (%d files)", err, len(files))
	}
	out := []string{"README.md"}
	for _, f := range files {
		out = append(out, filepath.ToSlash(strings.TrimPrefix(f, ".."+string(filepath.Separator))))
	}
	return out
}

func readDoc(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", file))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parseBlocks returns the fenced blocks of a Markdown document.
func parseBlocks(t *testing.T, file, doc string) []docBlock {
	t.Helper()
	lines := strings.Split(doc, "\n")
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		b := docBlock{file: file, line: i + 1, lang: m[2]}
		if i > 0 {
			if mk := markerRE.FindStringSubmatch(lines[i-1]); mk != nil {
				b.marker = mk[1]
				b.want, _ = strconv.Unquote(`"` + mk[2] + `"`)
				if b.marker == "error" && b.want == "" {
					t.Errorf("%s:%d: an error snippet needs its error text: <!-- snippet: error \"…\" -->", file, i)
				}
			}
		}
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "```" {
				break
			}
			body = append(body, strings.TrimPrefix(lines[j], m[1]))
		}
		if j == len(lines) {
			t.Fatalf("%s:%d: fenced block never closed", file, i+1)
		}
		b.body = strings.Join(body, "\n") + "\n"
		var after []string
		for k := j + 1; k < len(lines) && !fenceRE.MatchString(lines[k]) && !strings.HasPrefix(lines[k], "#"); k++ {
			after = append(after, lines[k])
		}
		b.after = strings.Join(after, "\n")
		out = append(out, b)
		i = j
	}
	return out
}

func allBlocks(t *testing.T) []docBlock {
	t.Helper()
	var out []docBlock
	for _, f := range docFiles(t) {
		out = append(out, parseBlocks(t, f, readDoc(t, f))...)
	}
	return out
}

// looksLikeCaddyfile: an unlabelled block that is clearly Caddyfile text.
var caddyfileHintRE = regexp.MustCompile(`(?m)^\s*(crm_frame|crm_engine|crm_engine_api|reverse_proxy|handle_path|handle|file_server)\b`)

func isCaddyfileBlock(b docBlock) bool {
	switch b.lang {
	case "caddyfile", "caddy", "Caddyfile":
		return true
	case "":
		return caddyfileHintRE.MatchString(b.body)
	}
	return false
}

// ---- the subdirectives the parsers accept (read from their source) ----

// parserSubdirectives reads the case labels of the switches that dispatch
// subdirectives in caddymodule's Caddyfile parsers: the switch directly in
// a `for d.NextBlock(…)` loop, and the top-level switch of unmarshalSub
// (crm_engine's loop body). Keys: "crm_frame", "crm_engine" and, for nested
// blocks, "crm_engine/<subdirective>".
func parserSubdirectives(t *testing.T) map[string][]string {
	out, _ := parserSubdirectivesAt(t)
	return out
}

// parserSubdirectivesAt also gives where each is parsed ("key/name" ->
// "file:line").
func parserSubdirectivesAt(t *testing.T) (map[string][]string, map[string]string) {
	t.Helper()
	at := map[string]string{}
	files, _ := filepath.Glob("caddyfile*.go")
	files = append(files, "engine_caddyfile.go")
	fset := token.NewFileSet()
	out := map[string][]string{}
	labels := func(key string, sw *ast.SwitchStmt) []string {
		var ls []string
		for _, s := range sw.Body.List {
			for _, e := range s.(*ast.CaseClause).List {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					ls = append(ls, v)
					p := fset.Position(lit.Pos())
					at[key+"/"+v] = fmt.Sprintf("caddymodule/%s:%d", p.Filename, p.Line)
				}
			}
		}
		return ls
	}
	isNextBlockLoop := func(f *ast.ForStmt) bool {
		c, ok := f.Cond.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "NextBlock"
	}
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			var top string
			switch fn.Name.Name {
			case "UnmarshalCaddyfile":
				top = "crm_frame"
			case "unmarshalSub":
				top = "crm_engine"
			default:
				continue
			}
			// walk records dispatch switches, with the case label of the
			// enclosing dispatch switch (the parent block) as context.
			var walk func(n ast.Node, parent string, dispatch bool)
			walk = func(n ast.Node, parent string, dispatch bool) {
				ast.Inspect(n, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.ForStmt:
						if isNextBlockLoop(n) {
							for _, s := range n.Body.List {
								walk(s, parent, true)
							}
							return false
						}
					case *ast.SwitchStmt:
						if !dispatch {
							return true
						}
						key := top
						if parent != "" {
							key = top + "/" + parent
						}
						out[key] = append(out[key], labels(key, n)...)
						for _, s := range n.Body.List {
							cc := s.(*ast.CaseClause)
							name := ""
							if len(cc.List) == 1 {
								if lit, ok := cc.List[0].(*ast.BasicLit); ok {
									name, _ = strconv.Unquote(lit.Value)
								}
							}
							for _, st := range cc.Body {
								walk(st, name, false)
							}
						}
						return false
					}
					return true
				})
			}
			if top == "crm_engine" {
				// unmarshalSub is the body of parseEngineGlobal's loop.
				for _, s := range fn.Body.List {
					if sw, ok := s.(*ast.SwitchStmt); ok {
						walk(sw, "", true)
					}
				}
			} else {
				walk(fn.Body, "", false)
			}
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	if len(out["crm_frame"]) < 10 || len(out["crm_engine"]) < 15 {
		t.Fatalf("parser source not understood: %v", out)
	}
	return out, at
}

// ---- Caddyfile blocks ----

// snippetSecret is set as CRMFRAME_SECRET for blocks that use
// {env.CRMFRAME_SECRET}, as the docs tell integrators to.
const snippetSecret = "docs-snippet-secret-0123456789abcdef"

// wrapSnippet turns a block into Caddyfiles that load on their own: a
// whole Caddyfile as is; a directive fragment in a site; a crm_frame
// subdirective line in a crm_frame block (each line separately: lines of
// one block are alternatives, e.g. `cookies same_site` / `cookies
// cross_site partitioned`).
func wrapSnippet(body string, frameSubs []string) []string {
	first := ""
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			first = l
			break
		}
	}
	word, _, _ := strings.Cut(first, " ")
	const site = "http://localhost:8080 {\n%s\n}\n"
	switch {
	case strings.HasPrefix(first, "{"), strings.Contains(word, "://"), strings.ContainsAny(word, ".:") && strings.HasSuffix(first, "{"):
		return []string{body}
	case slices.Contains(frameSubs, word):
		var out []string
		for _, l := range strings.Split(body, "\n") {
			if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			fa := "\tframe_ancestors https://desk.example.com\n"
			if strings.HasPrefix(l, "frame_ancestors ") {
				fa = ""
			}
			out = append(out, fmt.Sprintf(site, "crm_frame {\n"+fa+"\t"+l+"\n}\nreverse_proxy crm.internal:8080"))
		}
		return out
	default:
		return []string{fmt.Sprintf(site, body)}
	}
}

// loadSnippet adapts a Caddyfile with the real adapter and provisions the
// result without starting it (`caddy validate`).
func loadSnippet(cf string) error {
	js, err := caddyrun.Adapt(cf)
	if err != nil {
		return err
	}
	var cfg caddy.Config
	if err := json.Unmarshal(js, &cfg); err != nil {
		return err
	}
	cfg.Admin = &caddy.AdminConfig{Disabled: true}
	if cfg.Logging == nil { // Caddy's info lines would bury the test's output
		cfg.Logging = &caddy.Logging{Logs: map[string]*caddy.CustomLog{"default": {BaseLog: caddy.BaseLog{Level: "ERROR"}}}}
	}
	return caddy.Validate(&cfg)
}

// TestDocsCaddyfileSnippets: every Caddyfile block of README.md and
// docs/*.md loads (adapted and provisioned), wrapped in a minimal site
// when it is a fragment; a block marked as an error example fails with
// the error the doc shows.
func TestDocsCaddyfileSnippets(t *testing.T) {
	t.Setenv("CRMFRAME_SECRET", snippetSecret)
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // certificate storage of https sites
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	frameSubs := parserSubdirectives(t)["crm_frame"]
	n := 0
	for _, b := range allBlocks(t) {
		if !isCaddyfileBlock(b) {
			continue
		}
		if b.lang == "" {
			t.Errorf("%s: a Caddyfile block without a language: write ```caddyfile", b.pos())
		}
		n++
		switch b.marker {
		case "syntax":
			continue // TestDocsSubdirectives reads it
		case "error":
			err := loadSnippet(wrapSnippet(b.body, frameSubs)[0])
			doc := readDoc(t, b.file)
			switch {
			case err == nil:
				t.Errorf("%s: marked as an error example, but it loads", b.pos())
			case !strings.Contains(err.Error(), b.want):
				t.Errorf("%s: fails with\n\t%v\nnot with what the doc shows:\n\t%s", b.pos(), err, b.want)
			case !strings.Contains(strings.Join(strings.Fields(markerRE.ReplaceAllString(doc, "")), " "), b.want):
				t.Errorf("%s: the doc does not show the error text %q", b.pos(), b.want)
			}
			continue
		}
		for _, cf := range wrapSnippet(b.body, frameSubs) {
			if err := loadSnippet(cf); err != nil {
				t.Errorf("%s: does not load: %v\n%s", b.pos(), err, cf)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d Caddyfile blocks found in the docs", n)
	}
}

// TestDocsExampleCaddyfiles: the root Caddyfile (the demo) and every
// Caddyfile under examples/ load and are `caddy fmt` clean.
func TestDocsExampleCaddyfiles(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	files := []string{filepath.Join("..", "Caddyfile")}
	_ = filepath.WalkDir(filepath.Join("..", "examples"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasPrefix(d.Name(), "Caddyfile") || strings.HasSuffix(d.Name(), ".caddyfile")) {
			files = append(files, p)
		}
		return err
	})
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := loadSnippet(string(raw)); err != nil {
			t.Errorf("%s: does not load: %v", f, err)
		}
		if got := caddyfile.Format(raw); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(raw)) {
			t.Errorf("%s: not `caddy fmt` clean; formatted:\n%s", f, got)
		}
	}
}

// ---- the Caddyfile reference lists exactly what the parsers accept ----

var (
	headingRE  = regexp.MustCompile("^(#{2,3}) `?([a-z][a-z_]*)`?(?: \\(.*\\))?$")
	tableRowRE = regexp.MustCompile("^\\| (`[^|]*`) \\|")
	codeSpanRE = regexp.MustCompile("`([^`]*)`")
	nestedRE   = regexp.MustCompile(`\{([^}…]*)\}`)
)

// documentedSubdirectives reads docs/caddyfile.md: crm_frame's are its
// `## name` headings and the lines of its syntax block; crm_engine's the
// first column of the table in its section (`queue … { service; agents }`
// names nested ones), and nested tables under `### <subdirective>`.
func documentedSubdirectives(t *testing.T) (frame map[string]int, syntax map[string]int, engine map[string]int) {
	t.Helper()
	const file = "docs/caddyfile.md"
	doc := readDoc(t, file)
	frame, syntax, engine = map[string]int{}, map[string]int{}, map[string]int{}
	directives := []string{"crm_frame", "crm_engine", "crm_engine_api"}
	section, sub := "", ""
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if m := headingRE.FindStringSubmatch(l); m != nil {
			name := m[2]
			switch {
			case m[1] == "##" && slices.Contains(directives, name):
				section, sub = name, ""
			case m[1] == "##" && section != "crm_engine":
				frame[name] = i + 1
			case m[1] == "###" && section == "crm_engine":
				sub = name
			}
			continue
		}
		if strings.HasPrefix(l, "## ") {
			section, sub = "", "" // a prose heading ends a reference section
			continue
		}
		if section != "crm_engine" {
			continue
		}
		m := tableRowRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		for _, span := range codeSpanRE.FindAllStringSubmatch(m[1], -1) {
			name, _, _ := strings.Cut(span[1], " ")
			key := name
			if sub != "" {
				key = sub + "/" + name
			}
			engine[key] = i + 1
			if n := nestedRE.FindStringSubmatch(span[1]); n != nil {
				for _, part := range strings.Split(n[1], ";") {
					if w := strings.Fields(part); len(w) > 0 {
						engine[name+"/"+w[0]] = i + 1
					}
				}
			}
		}
	}
	for _, b := range parseBlocks(t, file, doc) {
		if b.marker != "syntax" {
			continue
		}
		for j, l := range strings.Split(b.body, "\n") {
			w := strings.Fields(l)
			if len(w) == 0 || w[0] == "crm_frame" || w[0] == "}" {
				continue
			}
			syntax[w[0]] = b.line + 1 + j
		}
	}
	return frame, syntax, engine
}

// TestDocsSubdirectives: docs/caddyfile.md documents every subdirective
// crm_frame and crm_engine accept, and nothing else.
func TestDocsSubdirectives(t *testing.T) {
	parsed, at := parserSubdirectivesAt(t)
	frame, syntax, engine := documentedSubdirectives(t)
	check := func(what string, doc map[string]int, code []string) {
		top := "crm_engine/"
		if strings.HasPrefix(what, "crm_frame") {
			top = "crm_frame/"
		}
		for name, line := range doc {
			if !slices.Contains(code, name) {
				t.Errorf("docs/caddyfile.md:%d: %s %q is documented but the parser does not accept it", line, what, name)
			}
		}
		for _, name := range code {
			if _, ok := doc[name]; !ok {
				t.Errorf("%s: %s %q is accepted by the parser but not in docs/caddyfile.md", at[top+name], what, name)
			}
		}
	}
	check("crm_frame heading", frame, parsed["crm_frame"])
	check("crm_frame syntax line", syntax, parsed["crm_frame"])
	var engineCode []string
	for key, names := range parsed {
		if key == "crm_frame" {
			continue
		}
		for _, n := range names {
			if key == "crm_engine" {
				engineCode = append(engineCode, n)
			} else {
				engineCode = append(engineCode, strings.TrimPrefix(key, "crm_engine/")+"/"+n)
			}
		}
	}
	check("crm_engine subdirective", engine, engineCode)
}

// ---- curl commands ----

// shellCmd is one command of a sh block: its words, and the words of the
// pipeline stages after it.
type shellCmd struct {
	line  int
	words []string
	pipe  [][]string
}

// shellCommands splits a sh block the way a POSIX shell would for the
// commands our docs use: words, '…' and "…" quoting (also across lines),
// backslash-newline, # comments, newlines and | between commands.
func shellCommands(t *testing.T, b docBlock) []shellCmd {
	t.Helper()
	var (
		out   []shellCmd
		cur   []string
		stage = -1 // -1: the command itself, else a pipeline stage
		word  strings.Builder
		in    bool // a word has started (possibly empty: '')
		line  = b.line + 1
		start = line
	)
	endWord := func() {
		if !in {
			return
		}
		cur = append(cur, word.String())
		word.Reset()
		in = false
	}
	endStage := func() {
		endWord()
		if len(cur) > 0 {
			if stage < 0 {
				out = append(out, shellCmd{line: start, words: cur})
			} else {
				out[len(out)-1].pipe = append(out[len(out)-1].pipe, cur)
			}
		}
		cur = nil
	}
	s := b.body
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
			line++
		case c == '\\' && i+1 < len(s):
			word.WriteByte(s[i+1])
			in = true
			i++
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				t.Fatalf("%s: unterminated ' quote", b.pos())
			}
			word.WriteString(s[i+1 : i+1+j])
			line += strings.Count(s[i+1:i+1+j], "\n")
			in = true
			i += j + 1
		case c == '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				if s[i] == '\n' {
					line++
				}
				word.WriteByte(s[i])
			}
			in = true
		case c == '#' && !in:
			for i+1 < len(s) && s[i+1] != '\n' {
				i++
			}
		case c == '|':
			endStage()
			if stage < 0 && len(out) > 0 {
				stage = 0
			}
		case c == '\n' || c == ';':
			endStage()
			stage = -1
			if c == '\n' {
				line++
			}
			start = line
		case c == ' ' || c == '\t':
			endWord()
		default:
			word.WriteByte(c)
			in = true
		}
	}
	endStage()
	return out
}

// curlRequest builds the request a curl command line sends, as curl does:
// -d without -X is a POST, and -d sends Content-Type
// application/x-www-form-urlencoded unless a -H sets another.
func curlRequest(words []string, hosts map[string]string) (*http.Request, error) {
	method, url, body := "", "", ""
	var data bool
	hdr := http.Header{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s needs an argument", w)
			}
			i++
			return words[i], nil
		}
		var err error
		switch {
		case w == "-s" || w == "--silent" || w == "-S" || w == "-sS":
		case strings.HasPrefix(w, "-X") && len(w) > 2:
			method = w[2:]
		case w == "-X" || w == "--request":
			method, err = arg()
		case w == "-H" || w == "--header":
			var h string
			if h, err = arg(); err == nil {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return nil, fmt.Errorf("header %q has no colon", h)
				}
				hdr.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		case w == "-d" || w == "--data" || w == "--data-raw":
			var d string
			if d, err = arg(); err == nil {
				if strings.HasPrefix(d, "@") && w != "--data-raw" {
					return nil, fmt.Errorf("-d @file is not supported here")
				}
				if data {
					body += "&"
				}
				body, data = body+d, true
			}
		case strings.HasPrefix(w, "-"):
			return nil, fmt.Errorf("curl option %s is not understood by this test", w)
		default:
			if url != "" {
				return nil, fmt.Errorf("two URLs: %s and %s", url, w)
			}
			url = w
		}
		if err != nil {
			return nil, err
		}
	}
	if url == "" {
		return nil, fmt.Errorf("no URL")
	}
	url = strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
	host, path, _ := strings.Cut(url, "/")
	addr, ok := hosts[host]
	if !ok {
		return nil, fmt.Errorf("host %s is not one the docs document", host)
	}
	if method == "" {
		method = http.MethodGet
		if data {
			method = http.MethodPost
		}
	}
	req, err := http.NewRequest(method, "http://"+addr+"/"+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if data && hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header = hdr
	return req, nil
}

// curlResult is what one documented curl got.
type curlResult struct {
	cmd    shellCmd
	status int
	body   []byte
}

var statusAfterRE = regexp.MustCompile("^→ `?([1-5][0-9][0-9])\\b")

// runCurls runs every curl of the sh blocks of file, in document order,
// against hosts, and checks each answer: the status the doc shows after the
// block (→ 201 …), else 2xx; the JSON field names of a json block right
// after it (the last command's answer). It returns the results.
func runCurls(t *testing.T, file string, hosts map[string]string) []curlResult {
	t.Helper()
	blocks := parseBlocks(t, file, readDoc(t, file))
	var res []curlResult
	for bi, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		var last *curlResult
		for _, c := range shellCommands(t, b) {
			if c.words[0] != "curl" {
				continue
			}
			pos := fmt.Sprintf("%s:%d", file, c.line)
			req, err := curlRequest(c.words, hosts)
			if err != nil {
				if strings.Contains(err.Error(), "is not one the docs document") {
					continue // another tool's example, not an endpoint of ours
				}
				t.Errorf("%s: %v", pos, err)
				continue
			}
			resp, body, err := fetchRequest(req)
			if err != nil {
				t.Errorf("%s: %v", pos, err)
				continue
			}
			r := curlResult{c, resp.StatusCode, body}
			res = append(res, r)
			last = &res[len(res)-1]
			want := ""
			if m := statusAfterRE.FindStringSubmatch(strings.TrimSpace(b.after)); m != nil {
				want = m[1]
			}
			if ok := strconv.Itoa(r.status) == want || want == "" && r.status/100 == 2; !ok {
				t.Errorf("%s: %s %s: status %d (want %s)\n%s", pos, req.Method, req.URL.Path, r.status, cmp.Or(want, "2xx"), body)
			}
			for _, p := range c.pipe {
				if p[0] == "grep" && len(p) == 2 {
					re := regexp.MustCompile("(?m)" + p[1])
					if !re.Match(body) {
						t.Errorf("%s: nothing in the answer matches | grep %s", pos, p[1])
					}
				}
			}
		}
		if last == nil || bi+1 >= len(blocks) || blocks[bi+1].lang != "json" {
			continue
		}
		js := blocks[bi+1]
		wantKeys, err := jsonKeys([]byte(js.body))
		if err != nil {
			t.Errorf("%s: %v", js.pos(), err)
			continue
		}
		gotKeys, err := jsonKeys(last.body)
		if err != nil {
			t.Errorf("%s:%d: the answer: %v\n%s", file, last.cmd.line, err, last.body)
			continue
		}
		if !slices.Equal(wantKeys, gotKeys) {
			t.Errorf("%s: the doc's answer has the fields\n\t%v\nthe answer to %s:%d has\n\t%v\n%s", js.pos(), wantKeys, file, last.cmd.line, gotKeys, last.body)
		}
	}
	return res
}

// jsonKeys is the sorted field names of a JSON object, or of the first
// element of an array of objects.
func jsonKeys(b []byte) ([]string, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return nil, fmt.Errorf("an empty array")
		}
		v = a[0]
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// ---- the commands and metrics the docs show, against running servers ----

var localPortRE = regexp.MustCompile(`localhost:([0-9]{4,5})`)

// remapPorts gives every localhost:PORT of a Caddyfile a free port; the
// map takes the doc's host:port to the real address.
func remapPorts(t *testing.T, cf string) (string, map[string]string) {
	t.Helper()
	hosts := map[string]string{}
	cf = localPortRE.ReplaceAllStringFunc(cf, func(hp string) string {
		if _, ok := hosts[hp]; !ok {
			hosts[hp] = fmt.Sprintf("localhost:%d", caddyrun.FreePort(t))
		}
		return hosts[hp]
	})
	return cf, hosts
}

// docCaddyfileFor is the Caddyfile block of file that serves host.
func docCaddyfileFor(t *testing.T, file, host string) string {
	t.Helper()
	for _, b := range parseBlocks(t, file, readDoc(t, file)) {
		if isCaddyfileBlock(b) && b.marker == "" && strings.Contains(b.body, host+" {") {
			return b.body
		}
	}
	t.Fatalf("%s shows no Caddyfile for %s, the address of its examples", file, host)
	return ""
}

// metricNameRE: crmframe_ names of a metric subsystem (crmframe_token is a cookie).
var metricNameRE = regexp.MustCompile(`crmframe_(?:proxy|ws|engine|queue|contact)_[a-z_]*[a-z]`)

// TestDocsCommands runs what the docs tell people to type: docs/api.md's
// curls against the Caddyfile it shows, then the demo (the root Caddyfile)
// with a page, a script and the SDK through crm_frame and an agent
// WebSocket, README.md's and docs/metrics.md's curls against it. The
// scrape docs/metrics.md's curl prints must hold every metric any doc
// names (TestMetricsQueriesValid checks the PromQL).
func TestDocsCommands(t *testing.T) {
	t.Setenv("CRMFRAME_SECRET", snippetSecret)
	t.Run("api.md", func(t *testing.T) {
		cf, hosts := remapPorts(t, docCaddyfileFor(t, "docs/api.md", "localhost:2020"))
		caddyrun.Start(t, cf)
		if res := runCurls(t, "docs/api.md", hosts); len(res) < 15 {
			t.Errorf("only %d curl commands ran from docs/api.md", len(res))
		}
	})
	t.Run("demo", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join("..", "Caddyfile"))
		if err != nil {
			t.Fatal(err)
		}
		cf, hosts := remapPorts(t, string(raw))
		// The demo's file_server roots are relative to the repository.
		repo, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		cf = regexp.MustCompile(`(?m)^(\s*root \* )(examples/)`).ReplaceAllString(cf, "${1}"+filepath.ToSlash(repo)+"/${2}")
		caddyrun.Start(t, cf)
		crm, desk := "http://"+hosts["localhost:8081"], "http://"+hosts["localhost:8080"]
		deskOrigin := desk

		// A page, its frame-busting script and the SDK, through crm_frame.
		page, err := http.NewRequest("GET", crm+"/customer.html", nil)
		if err != nil {
			t.Fatal(err)
		}
		page.Header.Set("Sec-Fetch-Dest", "iframe")
		resp, body, err := fetchRequest(page)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("page through crm_frame: %v %v", resp, err)
		}
		sdk := regexp.MustCompile(`src="(/__crmframe/sdk\.js[^"]*)"`).FindSubmatch(body)
		if sdk == nil {
			t.Fatalf("no SDK in the page: %v\n%s", resp.Header, body)
		}
		for _, path := range []string{string(sdk[1]), "/legacy.js"} {
			if resp, _, err := fetchBody(http.DefaultClient, crm+path); err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET %s: %v %v", path, resp, err)
			}
		}

		// An agent WebSocket (the demo's token endpoint), and one refused.
		tokReq, _ := http.NewRequest("POST", crm+"/__crmframe/demo/token", strings.NewReader(`{"agent":"a1"}`))
		tokReq.Header.Set("Content-Type", "application/json")
		tokReq.Header.Set("Origin", deskOrigin)
		resp, body, err = fetchRequest(tokReq)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("demo token: %v %v %s", resp, err, body)
		}
		var tok struct{ Token string }
		if err := json.Unmarshal(body, &tok); err != nil || tok.Token == "" {
			t.Fatalf("demo token: %s", body)
		}
		wsURL := "ws" + strings.TrimPrefix(crm, "http") + "/__crmframe/ws"
		if _, resp, err := websocket.DefaultDialer.Dial(wsURL, nil); err == nil || resp == nil || resp.StatusCode != 401 {
			t.Fatalf("WebSocket without a token: %v %v", resp, err)
		}
		agentSession(t, wsURL+"?token="+tok.Token, deskOrigin, "http://"+hosts["localhost:9180"]+"/metrics")

		res := append(runCurls(t, "README.md", hosts), runCurls(t, "docs/metrics.md", hosts)...)

		var scrapeBody []byte
		for _, r := range res {
			if r.cmd.words[len(r.cmd.words)-1] == "localhost:9180/metrics" {
				scrapeBody = r.body
			}
		}
		if scrapeBody == nil {
			t.Fatal("docs/metrics.md has no curl of localhost:9180/metrics")
		}
		tp := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := tp.TextToMetricFamilies(bytes.NewReader(scrapeBody))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range docFiles(t) {
			for i, l := range strings.Split(readDoc(t, f), "\n") {
				for _, name := range metricNameRE.FindAllString(l, -1) {
					base := name
					for _, suf := range []string{"_bucket", "_sum", "_count"} {
						if b, ok := strings.CutSuffix(name, suf); ok && fams[b] != nil && fams[b].GetType() == dto.MetricType_HISTOGRAM {
							base = b
						}
					}
					if fams[base] == nil {
						t.Errorf("%s:%d: %s is not in the scrape", f, i+1, name)
					}
				}
			}
		}
	})
}

// agentSession opens an agent WebSocket, says hello, runs a command and
// closes, and waits until the close is counted.
func agentSession(t *testing.T, url, origin, metricsURL string) {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {origin}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(map[string]any{"op": "hello", "v": 1, "client": map[string]string{"kind": "desktop", "id": "docs"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(map[string]any{"op": "cmd", "id": "c1", "name": "AGENT.Ready"}); err != nil {
		t.Fatal(err)
	}
	// A ping after the command: its pong comes after everything the
	// command made the server send.
	if err := c.WriteJSON(map[string]any{"op": "ping", "id": "p1"}); err != nil {
		t.Fatal(err)
	}
	for { // the welcome, the command's result and events, the pong
		var m struct{ Op, ID string }
		if err := c.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m.Op == "pong" && m.ID == "p1" {
			break
		}
	}
	_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	_ = c.Close()

	// The server counts the disconnect once it has read the close.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if opsVal(opsScrape(t, metricsURL), "crmframe_ws_disconnects_total") > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the WebSocket's close was never counted")
		}
	}
}
