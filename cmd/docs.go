package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// NewCmdDocs writes netprobe's manual: man pages for packagers and the
// markdown command reference kept in docs/cli (a test checks that one
// against the commands, so help and reference cannot drift apart).
func NewCmdDocs(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "docs",
		Short: "Write the man pages or the markdown command reference",
		Example: `  # man pages for a package, then read one
  netprobe docs man ./man && man ./man/netprobe-diagnose.1

  # the reference in docs/cli (after changing a command or a flag)
  netprobe docs markdown docs/cli`,
		Args: cobra.NoArgs,
	}
	man := &cobra.Command{
		Use:     "man DIR",
		Short:   "Write one man page per command into DIR (section 1)",
		Example: "  netprobe docs man /usr/local/share/man/man1",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			root, err := docsRoot(c, args[0])
			if err != nil {
				return err
			}
			header := &doc.GenManHeader{Title: "NETPROBE", Section: "1", Source: "netprobe " + Version, Manual: "netprobe manual"}
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return fmt.Errorf("docs man: %v", err)
			}
			fmt.Fprintf(f.IO.ErrOut, "wrote the man pages to %s\n", args[0])
			return nil
		},
	}
	md := &cobra.Command{
		Use:     "markdown DIR",
		Short:   "Write the markdown command reference (one file per command) into DIR",
		Example: "  netprobe docs markdown docs/cli",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			root, err := docsRoot(c, args[0])
			if err != nil {
				return err
			}
			if err := doc.GenMarkdownTree(root, args[0]); err != nil {
				return fmt.Errorf("docs markdown: %v", err)
			}
			fmt.Fprintf(f.IO.ErrOut, "wrote the command reference to %s\n", args[0])
			return nil
		},
	}
	c.AddCommand(man, md)
	return c
}

// docsRoot prepares the command tree for generated docs: the completion
// command included (cobra adds it only when it runs), no "Auto generated
// on DATE" line (the reference is checked in and compared), and DIR
// created.
func docsRoot(c *cobra.Command, dir string) (*cobra.Command, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usagef("docs: %v", err)
	}
	root := c.Root()
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	disableAutoGenTag(root)
	return root, nil
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
