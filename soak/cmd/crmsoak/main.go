// Command crmsoak runs the soak test of issue 9 against the real crmframe
// binary and prints a summary table; it exits 1 when an invariant fails.
//
//	go run ./soak/cmd/crmsoak            # full: 200 agents, 10,000 contacts
//	go run ./soak/cmd/crmsoak -short     # 20 agents, 300 contacts, < 60 s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/crmframe/crmframe/soak"
)

func main() {
	short := flag.Bool("short", false, "short run (20 agents, 300 contacts, one reload, < 60 s); other flags override it")
	def := soak.DefaultConfig()
	bin := flag.String("bin", "", "crmframe binary (default: go build ./cmd/crmframe)")
	agents := flag.Int("agents", def.Agents, "agents (each a page and a reference connection)")
	contacts := flag.Int("contacts", def.Contacts, "contacts created through the engine API")
	rate := flag.Float64("rate", def.Rate, "contacts per second")
	dropEvery := flag.Duration("drop-every", def.DropEvery, "how often 10% of the pages lose their connection")
	dropFrac := flag.Float64("drop-fraction", def.DropFraction, "fraction of pages dropped each time")
	duration := flag.Duration("duration", def.Duration, "cap on load + drain (reaching it fails the run)")
	ping := flag.Duration("ping-interval", def.PingInterval, "engine ping_interval (half-open sockets are cut after 2x)")
	slack := flag.Int("goroutine-slack", def.GoroutineSlack, "goroutines allowed above the baseline after all clients left")
	seed := flag.Uint64("seed", def.Seed, "random seed")
	quiet := flag.Bool("q", false, "no progress lines")
	flag.Parse()

	cfg := def
	if *short {
		cfg = soak.ShortConfig()
	}
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["agents"] || !*short {
		cfg.Agents = *agents
	}
	if set["contacts"] || !*short {
		cfg.Contacts = *contacts
	}
	if set["rate"] || !*short {
		cfg.Rate = *rate
	}
	if set["drop-every"] || !*short {
		cfg.DropEvery = *dropEvery
	}
	if set["drop-fraction"] || !*short {
		cfg.DropFraction = *dropFrac
	}
	if set["duration"] || !*short {
		cfg.Duration = *duration
	}
	if set["ping-interval"] || !*short {
		cfg.PingInterval = *ping
	}
	cfg.Bin, cfg.GoroutineSlack, cfg.Seed = *bin, *slack, *seed
	start := time.Now()
	if !*quiet {
		cfg.Logf = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := soak.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crmsoak:", err)
		os.Exit(2)
	}
	fmt.Printf("crmframe soak: %d agents, %d contacts at %.0f/s, %.0f%% dropped every %s (%s total)\n\n",
		cfg.Agents, cfg.Contacts, cfg.Rate, cfg.DropFraction*100, cfg.DropEvery, time.Since(start).Round(time.Second))
	fmt.Print(res.Table())
	if len(res.Failures) == 0 {
		fmt.Println("\nPASS")
		return
	}
	fmt.Println("\nFAIL:")
	for _, f := range res.Failures {
		fmt.Println("  -", f)
	}
	for _, e := range res.Examples {
		fmt.Println("  example:", e)
	}
	if res.LogPath != "" {
		fmt.Println("  crmframe output:", res.LogPath)
	}
	os.Exit(1)
}
