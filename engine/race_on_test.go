//go:build race

package engine

// raceBuild scales randomised tests down under -race (5–10× slower).
const raceBuild = true
