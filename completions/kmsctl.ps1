# PowerShell completion for kmsctl. Install for the current user:
#   kmsctl completion powershell | Out-File -Append -Encoding utf8 $PROFILE
#
# kmsctl answers itself: "kmsctl __complete WORD... CURRENT" walks its
# command tree (it never runs a command) and prints one candidate per line,
# a tab and a description, then a directive line (:none, :files, :dirs).
Register-ArgumentCompleter -Native -CommandName kmsctl, kmsctl.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.StartOffset -lt $cursorPosition } |
        ForEach-Object { $_.ToString() })
    $exe = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = @($words[1..($words.Count - 1)]) }
    # The word being completed is the last one typed, or a new empty one.
    if ($wordToComplete -ne '' -and $rest.Count -gt 0) { $rest = @($rest | Select-Object -SkipLast 1) }
    $cur = $wordToComplete.Trim("'", '"')
    # An empty argument must reach kmsctl as one: Windows PowerShell 5.1
    # drops "" when calling a native program, so send it quoted.
    if ($cur -eq '') { $cur = '""' }
    $out = @(& $exe __complete @rest $cur 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = $out[-1]
    $lines = @()
    if ($out.Count -gt 1) { $lines = $out[0..($out.Count - 2)] }
    foreach ($line in $lines) {
        $value, $desc = $line -split "`t", 2
        if (-not $desc) { $desc = $value }
        $text = $value
        if ($value -match '\s') { $text = "'" + $value.Replace("'", "''") + "'" }
        [System.Management.Automation.CompletionResult]::new($text, $value, 'ParameterValue', $desc)
    }
    if ($directive -eq ':files' -or $directive -eq ':dirs') {
        Get-ChildItem -Path "$($wordToComplete)*" -ErrorAction SilentlyContinue |
            Where-Object { $directive -eq ':files' -or $_.PSIsContainer } |
            ForEach-Object { [System.Management.Automation.CompletionResult]::new($_.FullName, $_.Name, 'ProviderItem', $_.FullName) }
    }
}
