// Package e2e holds end-to-end tests: crmframe running in-process or as the
// real binary, in front of test upstreams, driven by HTTP clients and
// headless Chromium.
package e2e
