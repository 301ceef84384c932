package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/crmframe/crmframe/internal/binproc"
)

// Targets (issue 8).
const (
	targetHTMLRatio  = 0.90
	targetOtherRatio = 0.98
	targetAddedP50   = time.Millisecond
	targetMemAdded   = 64 * 256 << 10 // 64 pages in flight × 256 KiB
	targetFirstChunk = 100 * time.Millisecond
	frameAncestor    = "https://desk.example.com"
	memConc          = 64
)

// sites is the Caddyfile of the two measured sites: same upstream, one
// plain, one through crm_frame.
func sites(plainPort, crmPort int, upstream string) string {
	return fmt.Sprintf(`http://127.0.0.1:%d {
	bind 127.0.0.1
	reverse_proxy %s
}
`, plainPort, upstream) + crmSite(crmPort, upstream, "")
}

// crmSite is a crm_frame site in front of upstream, with more subdirective
// lines (setting, "; "-separated) when not empty.
func crmSite(port int, upstream, setting string) string {
	return fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	crm_frame {
		frame_ancestors %s
		upstream_origin http://%s
		%s
	}
	reverse_proxy %s
}
`, port, frameAncestor, upstream, strings.ReplaceAll(setting, "; ", "\n\t\t"), upstream)
}

// startPair runs a fresh crmframe process with both sites.
func (b *bench) startPair(globalExtra, extraSites string) (*Proc, *Site, *Site, error) {
	pp, err := binproc.FreePort()
	if err != nil {
		return nil, nil, nil, err
	}
	cp, err := binproc.FreePort()
	if err != nil {
		return nil, nil, nil, err
	}
	plain := &Site{Name: "plain", Base: fmt.Sprintf("http://127.0.0.1:%d", pp)}
	crm := &Site{Name: "crm_frame", Base: fmt.Sprintf("http://127.0.0.1:%d", cp)}
	b.procs++
	dir := filepath.Join(b.tmp, fmt.Sprintf("proc%d", b.procs))
	probe := b.content.Resources[0].Path
	p, err := startProc(b.bin, dir, globalExtra, sites(pp, cp, b.up.Addr)+extraSites, plain.Base+probe, crm.Base+probe)
	if err != nil {
		return nil, nil, nil, err
	}
	plain.Pid, crm.Pid = p.Pid(), p.Pid()
	return p, plain, crm, nil
}

func (b *bench) resources() []*Resource {
	if len(b.cfg.Resources) == 0 {
		return b.content.Resources
	}
	var out []*Resource
	for _, n := range b.cfg.Resources {
		out = append(out, b.content.byName(n))
	}
	return out
}

// variants are extra crm_frame sites, each measured against plain on one
// resource: what a setting users may change costs or saves. js_cache off
// is the cost of a cold cache (a bundle rewritten on every request).
var variants = []struct{ res, setting string }{
	{resJS, "js_cache off"},
	// The bench client accepts zstd, as browsers over HTTPS do: the default
	// site sends zstd, these two the CRM's gzip (level 5, then level 1).
	{resGzip, "recompress_coding same"},
	{resGzip, "recompress_coding same; recompress_level fastest"},
}

// proxyAndTTFB: section 1 (throughput, latency) and section 5 (TTFB) in
// one process.
func (b *bench) proxyAndTTFB() error {
	b.logf("starting crmframe with a plain and a crm_frame site")
	var extra strings.Builder
	var vsites []*Site
	for _, v := range variants {
		vp, err := binproc.FreePort()
		if err != nil {
			return err
		}
		vsites = append(vsites, &Site{Name: "crm_frame " + v.setting, Base: fmt.Sprintf("http://127.0.0.1:%d", vp)})
		extra.WriteString(crmSite(vp, b.up.Addr, v.setting))
	}
	p, plain, crm, err := b.startPair("", extra.String())
	if err != nil {
		return err
	}
	defer p.Stop()
	maxC := 1
	for _, c := range b.cfg.Concs {
		maxC = max(maxC, c)
	}
	plain.Client, crm.Client = newClient(maxC, 0), newClient(maxC, 0)
	for _, vs := range vsites {
		vs.Client, vs.Pid = newClient(maxC, 0), p.Pid()
	}
	if err := b.setupChecks(plain, crm, vsites); err != nil {
		return err
	}
	var worst *Resource
	worstC, worstRatio := 0, 0.0
	for _, res := range b.resources() {
		for _, c := range b.cfg.Concs {
			sp, sc := cell(plain, crm, res.Path, c, b.cfg.Rounds, b.cfg.PerSite)
			b.proxyRows(res, c, sp, sc)
			b.logf("%s c=%d: plain %.0f req/s, crm_frame %.0f req/s", res.Name, c, sp.RPS(), sc.RPS())
			if r := pairedRatio(sp, sc); worst == nil || r < worstRatio {
				worst, worstC, worstRatio = res, c, r
			}
			for i, v := range variants {
				if v.res != res.Name || b.cfg.NoVariants {
					continue
				}
				sp, sv := cell(plain, vsites[i], res.Path, c, b.cfg.Rounds, b.cfg.PerSite)
				b.proxyRowsNamed(res, res.Name+" ("+v.setting+")", c, sp, sv)
				b.logf("%s c=%d %s: plain %.0f req/s, crm_frame %.0f req/s", res.Name, c, v.setting, sp.RPS(), sv.RPS())
			}
		}
	}
	b.ttfb(plain, crm)
	if b.cfg.Pprof != "" && worst != nil {
		if err := b.profile(p, crm, worst, worstC, b.cfg.Pprof); err != nil {
			b.rep.note("pprof: %v", err)
		}
		if err := b.profile(p, plain, worst, worstC, b.cfg.Pprof+".plain"); err != nil {
			b.rep.note("pprof: %v", err)
		}
	}
	return nil
}

// profile takes a CPU profile of crmframe (Caddy's admin /debug/pprof)
// while the crm_frame site serves the worst cell, and writes it to
// cfg.Pprof: `go tool pprof -top <binary> <file>` shows where time goes.
func (b *bench) profile(p *Proc, crm *Site, res *Resource, c int, file string) error {
	secs := max(2, int(b.cfg.PerSite.Seconds()))
	b.logf("pprof: %d s CPU profile of %s serving %s at c=%d", secs, crm.Name, res.Name, c)
	done := make(chan Sample, 1)
	go func() { done <- round(crm, res.Path, c, time.Duration(secs+1)*time.Second) }()
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.Admin, secs))
	s := <-done
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("admin /debug/pprof/profile: status %d", resp.StatusCode)
	}
	// What the profile covers, to turn its samples (or perf counters read
	// over the same window) into a cost per request.
	b.logf("pprof: %s served %d requests in %s (%.0f req/s), CPU %.3f ms/req", crm.Name, s.N, s.Elapsed.Round(time.Millisecond), s.RPS(), float64(s.CPUPerReq())/1e6)
	prof, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, prof, 0o644); err != nil {
		return err
	}
	b.rep.note("CPU profile of %s on %s c=%d (worst ratio) in %s: go tool pprof -top %s", crm.Name, res.Name, c, file, file)
	return nil
}

// setupChecks proves the crm_frame site really goes through crm_frame and
// says whether the body rewriters are active (they change what is measured).
func (b *bench) setupChecks(plain, crm *Site, vsites []*Site) error {
	res := b.content.byName(resHTML128)
	var wire int // body bytes as sent, of the last get
	get := func(s *Site, path string) (*http.Response, []byte, error) {
		req, err := newRequest(context.Background(), s.Base, path)
		if err != nil {
			return nil, nil, err
		}
		resp, err := s.Client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		wire = len(body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s%s: status %d", s.Base, path, resp.StatusCode)
		}
		switch ce := resp.Header.Get("Content-Encoding"); {
		case err != nil:
		case ce == "gzip":
			zr, zerr := gzip.NewReader(bytes.NewReader(body))
			if zerr != nil {
				return nil, nil, fmt.Errorf("%s%s: bad gzip: %v", s.Base, path, zerr)
			}
			body, err = io.ReadAll(zr)
		case ce == "zstd":
			zr, zerr := zstd.NewReader(nil)
			if zerr != nil {
				return nil, nil, zerr
			}
			body, err = zr.DecodeAll(body, nil)
			zr.Close()
			if err != nil {
				return nil, nil, fmt.Errorf("%s%s: bad zstd: %v", s.Base, path, err)
			}
		}
		return resp, body, err
	}
	pr, _, err := get(plain, res.Path)
	if err != nil {
		return err
	}
	cr, cbody, err := get(crm, res.Path)
	if err != nil {
		return err
	}
	inChain := pr.Header.Get("X-Frame-Options") != "" && cr.Header.Get("X-Frame-Options") == ""
	b.rep.add(Row{Section: "Setup", Measure: "crm_frame in the chain (X-Frame-Options removed)",
		Plain: "XFO " + orNone(pr.Header.Get("X-Frame-Options")), CRM: "XFO " + orNone(cr.Header.Get("X-Frame-Options")),
		Result: yesNo(inChain), Target: "yes", Status: judge(inChain)})
	if !inChain {
		return errors.New("the crm_frame site does not remove X-Frame-Options: the harness is not measuring crm_frame")
	}
	injected := bytes.Contains(cbody, []byte("/__crmframe/"))
	b.rep.add(Row{Section: "Setup", Measure: "HTML rewriter active (SDK injected)", Plain: fmtBytes(int64(len(res.Body))),
		CRM: fmtBytes(int64(len(cbody))), Result: yesNo(injected)})
	if !injected {
		b.rep.note("the HTML rewriter is not active in this build: HTML figures measure the header policy only")
	}
	gz := b.content.byName(resGzip)
	gr, gbody, err := get(crm, gz.Path)
	if err != nil {
		return err
	}
	b.rep.add(Row{Section: "Setup", Measure: "gzip HTML decoded, rewritten, re-encoded", Plain: fmtBytes(int64(len(gz.Body))) + " sent",
		CRM:    fmtBytes(int64(wire)) + " sent as " + gr.Header.Get("Content-Encoding") + ", " + fmtBytes(int64(len(gbody))) + " decoded",
		Result: yesNo(bytes.Contains(gbody, []byte("/__crmframe/")))})
	for i, v := range variants {
		if v.res != resGzip {
			continue
		}
		vr, vbody, err := get(vsites[i], gz.Path)
		if err != nil {
			return err
		}
		b.rep.add(Row{Section: "Setup", Measure: "gzip HTML with " + v.setting, Plain: fmtBytes(int64(len(gz.Body))) + " sent",
			CRM:    fmtBytes(int64(wire)) + " sent as " + vr.Header.Get("Content-Encoding") + ", " + fmtBytes(int64(len(vbody))) + " decoded",
			Result: yesNo(bytes.Contains(vbody, []byte("/__crmframe/")))})
	}
	js := b.content.byName(resJS)
	_, jbody, err := get(crm, js.Path)
	if err != nil {
		return err
	}
	b.rep.add(Row{Section: "Setup", Measure: "JS rewriter changed the bundle", Plain: fmtBytes(int64(len(js.Body))),
		CRM: fmtBytes(int64(len(jbody))), Result: yesNo(!bytes.Equal(jbody, js.Body))})
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (b *bench) proxyRows(res *Resource, c int, sp, sc Sample) {
	b.proxyRowsNamed(res, res.Name, c, sp, sc)
}

func (b *bench) proxyRowsNamed(res *Resource, name string, c int, sp, sc Sample) {
	target := targetOtherRatio
	if res.HTML {
		target = targetHTMLRatio
	}
	fig := func(s Sample) string {
		f := fmt.Sprintf("%.0f req/s, p50 %s p99 %s ms", s.RPS(), fmtMs(s.Pct(50)), fmtMs(s.Pct(99)))
		if c := s.CPUPerReq(); c > 0 {
			f += fmt.Sprintf(", CPU %s ms/req", fmtMs(c))
		}
		if w := s.WritesPerReq(); w > 0 {
			f += fmt.Sprintf(", %.1f writes/req", w)
		}
		if res.Gzip {
			f += ", " + fmtBytes(s.BytesPerReq()) + " sent"
		}
		return f
	}
	row := Row{Section: "Proxy", Measure: fmt.Sprintf("%s c=%d", name, c), Plain: fig(sp), CRM: fig(sc),
		Target: fmt.Sprintf("≥ %.2f×", target)}
	if sp.Errs+sc.Errs > 0 || sp.N == 0 || sc.N == 0 {
		row.Result, row.Status = fmt.Sprintf("errors: plain %d, crm_frame %d", sp.Errs, sc.Errs), fail
		first := sp.FirstErr
		if first == nil {
			first = sc.FirstErr
		}
		if first != nil {
			b.rep.note("%s c=%d: %v", name, c, first)
		}
		b.rep.add(row)
		return
	}
	ratio := pairedRatio(sp, sc)
	row.Result, row.Status = fmt.Sprintf("%.2f×", ratio), judge(ratio >= target)
	b.rep.add(row)
	if name == resHTML128 && c == 1 {
		added := sc.Pct(50) - sp.Pct(50)
		b.rep.add(Row{Section: "Proxy", Measure: res.Name + " c=1 added p50 latency", Plain: fmtMs(sp.Pct(50)) + " ms",
			CRM: fmtMs(sc.Pct(50)) + " ms", Result: fmt.Sprintf("%+.2f ms", float64(added)/float64(time.Millisecond)),
			Target: "≤ +1 ms", Status: judge(added <= targetAddedP50)})
	}
}

// ttfbOnce measures time to the first body byte and to the end of the
// upstream's first chunk (minus what a tokenizer may hold back), then
// drops the connection: the rest of the stream does not matter here.
func ttfbOnce(s *Site, firstLen int) (first, chunk time.Duration, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := newRequest(ctx, s.Base, streamPath)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept-Encoding", "identity")
	t0 := time.Now()
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("%s%s: status %d", s.Base, streamPath, resp.StatusCode)
	}
	buf := make([]byte, 64<<10)
	got := 0
	want := max(1, firstLen-64)
	for got < want {
		n, err := resp.Body.Read(buf)
		if n > 0 && got == 0 {
			first = time.Since(t0)
		}
		got += n
		if err != nil {
			return 0, 0, fmt.Errorf("%s%s: %v after %d bytes", s.Base, streamPath, err, got)
		}
	}
	return first, time.Since(t0), nil
}

func (b *bench) ttfb(plain, crm *Site) {
	firstLen := len(b.content.StreamFirst)
	var fp, fc, cp, cc []time.Duration
	var firstErr error
	for i := 0; i < b.cfg.TTFBReps; i++ {
		for _, s := range []*Site{plain, crm} {
			f, c, err := ttfbOnce(s, firstLen)
			if err != nil {
				firstErr = err
				continue
			}
			if s == plain {
				fp, cp = append(fp, f), append(cp, c)
			} else {
				fc, cc = append(fc, f), append(cc, c)
			}
		}
	}
	if firstErr != nil {
		b.rep.note("TTFB: %v", firstErr)
	}
	med := func(d []time.Duration) time.Duration {
		if len(d) == 0 {
			return -1
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	ms := func(d time.Duration) string {
		if d < 0 {
			return "failed"
		}
		return fmtMs(d) + " ms"
	}
	ok := func(d time.Duration) string { return judge(d >= 0 && d <= targetFirstChunk) }
	tgt := fmt.Sprintf("≤ %d ms (next chunk at %d ms)", targetFirstChunk/time.Millisecond, streamInterval/time.Millisecond)
	n := fmt.Sprintf(" (median of %d)", b.cfg.TTFBReps)
	b.rep.add(Row{Section: "TTFB", Measure: "slow stream: first byte" + n, Plain: ms(med(fp)), CRM: ms(med(fc)),
		Result: ms(med(fc)), Target: tgt, Status: ok(med(fc))})
	b.rep.add(Row{Section: "TTFB", Measure: fmt.Sprintf("slow stream: first %s chunk", fmtBytes(int64(firstLen))) + n,
		Plain: ms(med(cp)), CRM: ms(med(cc)), Result: ms(med(cc)), Target: tgt, Status: ok(med(cc))})
}

// memory: section 2. Each site in a fresh process, so the peaks are its own.
func (b *bench) memory() error {
	res := b.content.byName(resHTML1M)
	peaks := map[string]int64{}
	bases := map[string]int64{}
	for _, which := range []string{"plain", "crm_frame"} {
		b.logf("memory: %d slow clients reading %s through %s (fresh process)", memConc, res.Name, which)
		p, plain, crm, err := b.startPair("", "")
		if err != nil {
			return err
		}
		s := plain
		if which == "crm_frame" {
			s = crm
		}
		base, peak, err := b.memoryRun(p.Pid(), s, res)
		p.Stop()
		if err != nil {
			b.rep.note("memory %s: %v", which, err)
			continue
		}
		peaks[which], bases[which] = peak, base
	}
	pp, okp := peaks["plain"]
	pc, okc := peaks["crm_frame"]
	row := Row{Section: "Memory", Measure: fmt.Sprintf("peak RSS, %d × %s in flight, slow readers", memConc, res.Name),
		Target: "crm_frame adds < " + fmtBytes(targetMemAdded) + " (64 × 256 KiB)"}
	if !okp || !okc {
		row.Result, row.Status = "failed (see notes)", fail
		b.rep.add(row)
		return nil
	}
	row.Plain = fmt.Sprintf("%s (idle %s)", fmtBytes(pp), fmtBytes(bases["plain"]))
	row.CRM = fmt.Sprintf("%s (idle %s)", fmtBytes(pc), fmtBytes(bases["crm_frame"]))
	added := pc - pp
	row.Result, row.Status = "+"+fmtBytes(added), judge(added < targetMemAdded)
	if added < 0 {
		row.Result = fmtBytes(added)
	}
	b.rep.add(row)
	return nil
}

// memoryRun returns the idle RSS and the peak RSS while memConc slow
// clients read the resource at the same time.
func (b *bench) memoryRun(pid int, s *Site, res *Resource) (base, peak int64, err error) {
	s.Client = newClient(memConc, 16<<10)
	// Warm up once so both processes start from a served request.
	if _, err := fetch(context.Background(), s.Client, s.Base, res.Path); err != nil {
		return 0, 0, err
	}
	time.Sleep(200 * time.Millisecond)
	if base, _, err = binproc.MemStatus(pid); err != nil {
		return 0, 0, err
	}
	hwmOK := resetHWM(pid) == nil
	smp := sampleRSS(pid, 10*time.Millisecond)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, memConc)
	for i := 0; i < memConc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- slowRead(s, res.Path, 16<<10, b.cfg.MemSlowRead)
		}()
	}
	close(start)
	wg.Wait()
	peak = smp.Stop()
	close(errs)
	for e := range errs {
		if e != nil {
			return 0, 0, e
		}
	}
	if _, hwm, err := binproc.MemStatus(pid); err == nil && hwmOK && hwm > peak {
		peak = hwm
	}
	return base, peak, nil
}

// slowRead reads the body in step-sized pieces with a pause between them.
func slowRead(s *Site, path string, step int, pause time.Duration) error {
	req, err := newRequest(context.Background(), s.Base, path)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	buf := make([]byte, step)
	for {
		_, err := io.ReadFull(resp.Body, buf)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
		time.Sleep(pause)
	}
}
