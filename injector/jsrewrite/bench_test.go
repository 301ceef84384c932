package jsrewrite

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// unminifiedModule is realistic CRM front-end code: UMD wrapper, `.top`
// properties everywhere, regexes, templates, comments; real global top
// references in one module out of ten.
const unminifiedModule = `/**
 * Module %[1]d: positions the %[1]d-th panel of the customer screen.
 * Keeps "top" and 'left' in sync with the layout grid.
 */
(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['jquery'], factory);
  } else {
    root.Panel%[1]d = factory(root.jQuery);
  }
})(this, function ($) {
  'use strict';
  var DEFAULTS = { top: 0, left: 0, width: 320, height: 240, title: 'Panel %[1]d' };
  var POS = /^(?:top|bottom|center)-(\d+)(px|em)?$/i, SLASH = /\/+$/;

  function Panel%[1]d(el, options) {
    this.el = el;
    this.options = $.extend({}, DEFAULTS, options || {});
    this.history = [];
  }

  Panel%[1]d.prototype.place = function (rect, offset) {
    var top = rect.top + (offset ? offset.top : 0) + window.pageYOffset;
    var left = Math.max(0, rect.left - 12) / 2;
    this.el.style.top = top + 'px';
    this.el.style.left = left + 'px';
    this.history.push({ top: top, left: left, at: Date.now() });
    return ` + "`${this.options.title}: ${top}px from the top, ${left}px from the left`" + `;
  };

  Panel%[1]d.prototype.parse = function (value) {
    var m = POS.exec(String(value).replace(SLASH, ''));
    if (!m) { return null; }
    return { edge: m[0].split('-')[0], top: parseInt(m[1], 10), unit: m[2] || 'px' };
  };

  Panel%[1]d.prototype.scrollIntoView = function () {
    var box = this.el.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      window.scrollTo({ top: window.pageYOffset + box.top - 20, behavior: 'smooth' });
    }
  };
%[2]s
  return Panel%[1]d;
});
`

const frameCheck = `
  Panel%d.prototype.inFrame = function () {
    if (window.top !== window.self && top.location.host !== location.host) {
      return true;
    }
    return false;
  };
`

const minifiedModule = `!function(e,t){"function"==typeof define&&define.amd?define(["jquery"],t):e.P%[1]d=t(e.jQuery)}(this,function(e){"use strict";var t={top:0,left:0,width:320,height:240,title:"Panel %[1]d"},n=/^(?:top|bottom|center)-(\d+)(px|em)?$/i,r=/\/+$/;function o(n,r){this.el=n,this.o=e.extend({},t,r||{}),this.h=[]}return o.prototype.place=function(e,t){var n=e.top+(t?t.top:0)+window.pageYOffset,r=Math.max(0,e.left-12)/2;return this.el.style.top=n+"px",this.el.style.left=r+"px",this.h.push({top:n,left:r,at:Date.now()}),` + "`${this.o.title}: ${n}px`" + `},o.prototype.parse=function(e){var t=n.exec(String(e).replace(r,""));return t?{edge:t[0].split("-")[0],top:parseInt(t[1],10),unit:t[2]||"px"}:null},o.prototype.s=function(){var e=this.el.getBoundingClientRect();(e.top<0||e.bottom>window.innerHeight)&&window.scrollTo({top:window.pageYOffset+e.top-20,behavior:"smooth"})}%[2]s,o});
`

const minifiedFrameCheck = `,o.prototype.f=function(){return window.top!==window.self&&top.location.host!==location.host}`

// bundle builds a deterministic bundle of at least size bytes.
func bundle(size int, minified bool) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		extra := ""
		if i%10 == 0 {
			if minified {
				extra = minifiedFrameCheck
			} else {
				extra = fmt.Sprintf(frameCheck, i)
			}
		}
		if minified {
			fmt.Fprintf(&b, minifiedModule, i, extra)
		} else {
			fmt.Fprintf(&b, unminifiedModule, i, extra)
		}
	}
	return b.Bytes()
}

var benchInputs = []struct {
	name string
	src  []byte
}{
	{"unminified-1.5MB", bundle(1536<<10, false)},
	{"minified-700KB", bundle(700<<10, true)},
}

func TestBenchBundlesRewrite(t *testing.T) {
	// The benchmark inputs must be valid for the rewriter and hold real
	// rewrites, or the figures mean nothing.
	for _, in := range benchInputs {
		_, res := Rewrite(in.src, Classic)
		if res.Err != nil || res.Counts[CountTop] == 0 || res.Counts[CountMember] == 0 {
			t.Fatalf("%s: %+v", in.name, res)
		}
	}
}

// TestBenchBundlesGolden pins the rewritten bundles to digests recorded with
// the implementation before the lexer shortcuts (lexfast.go): speed work
// must not change a byte of output. Changing bundle() changes them too.
func TestBenchBundlesGolden(t *testing.T) {
	want := map[string]string{
		"unminified-1.5MB": "8761c880cc87ae2fd1220aeb48805565010b2b2bd9a28b2bd7abea9127bc328c",
		"minified-700KB":   "8a1b69799247e56b4b980ec4a9d1ef67060f95a64dd77a9cd83e049716eb1737",
	}
	for _, in := range benchInputs {
		out, _ := Rewrite(in.src, Classic)
		if got := fmt.Sprintf("%x", sha256.Sum256(out)); got != want[in.name] {
			t.Errorf("%s: output digest %s, want %s", in.name, got, want[in.name])
		}
	}
}

func BenchmarkRewrite(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			b.ReportAllocs()
			for b.Loop() {
				Rewrite(in.src, Classic)
			}
		})
	}
	// A script with no trigger word costs one substring scan (since pass
	// 31 a .location read on an unknown name is one: it is taken out too).
	noTop := bytes.ReplaceAll(benchInputs[0].src, []byte("top"), []byte("pot"))
	noTop = bytes.ReplaceAll(noTop, []byte("location"), []byte("locaTion"))
	b.Run("no-mention-1.5MB", func(b *testing.B) {
		b.SetBytes(int64(len(noTop)))
		for b.Loop() {
			Rewrite(noTop, Classic)
		}
	})
}

// BenchmarkLexerBare is the bare tdewolff lexer over the same inputs, for
// the ratio.
func BenchmarkLexerBare(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			b.ReportAllocs()
			for b.Loop() {
				lx := js.NewLexer(parse.NewInputBytes(in.src[:len(in.src):len(in.src)]))
				prev := js.ErrorToken
				for {
					tt, _ := lx.Next()
					if (tt == js.DivToken || tt == js.DivEqToken) && bareRegexOK(prev) {
						tt, _ = lx.RegExp()
					}
					if tt == js.ErrorToken {
						if lx.Err() != io.EOF {
							b.Fatal(lx.Err())
						}
						break
					}
					if tt != js.WhitespaceToken && tt != js.LineTerminatorToken && tt != js.CommentToken {
						prev = tt
					}
				}
			}
		})
	}
}

// bareRegexOK is the minimal "does '/' start a regexp" rule any lexer user
// needs (previous significant token is not a value).
func bareRegexOK(prev js.TokenType) bool {
	switch prev {
	case js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.StringToken, js.RegExpToken,
		js.TemplateToken, js.TemplateEndToken, js.ThisToken, js.IncrToken, js.DecrToken:
		return false
	}
	return !js.IsNumeric(prev) && !js.IsIdentifier(prev)
}
