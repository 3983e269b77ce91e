package cmd

// diagnoseExamples are the examples of netprobe and netprobe diagnose:
// one for each kind of reader (the end user told to run it, the
// consultant, CI).
const diagnoseExamples = `  # "run netprobe and paste the output": every layer, then paste the report
  netprobe

  # for a public ticket: addresses, names and serial numbers masked
  netprobe -o markdown --redact

  # a consultant: the office's services and printer, every piece of evidence
  netprobe diagnose --target https://intranet.example.com/health --target mail.example.com:587 \
    --printer 192.168.1.50 -v

  # CI or an offline lab: nothing public, JSON, the exit code gates the job
  netprobe diagnose --upstream 198.18.1.1 --dns-name www.lab.test --layers gateway,internet,dns \
    --no-portal-check -o json --output-file report.json`

// versionText is what `netprobe --version`, `-V` and `netprobe version`
// print. It is the one hook for the build's identity: a build that stamps
// a commit and a date (release builds, the os branch's internal/buildinfo)
// returns them here, and both spellings follow.
var versionText = func() string { return build.String() }
