# PowerShell completion for kmsctl. Install for the current user:
#   kmsctl completion powershell | Out-File -Append -Encoding utf8 $PROFILE
#
# kmsctl answers itself: "kmsctl __complete WORD... CURRENT" walks its
# command tree (it never runs a command) and prints one candidate per line,
# a tab and a description, then a directive line (:none, :files, :dirs).
Register-ArgumentCompleter -Native -CommandName kmsctl, kmsctl.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # A candidate as PowerShell must read it back as one argument: in
    # single quotes, each quote inside doubled, when it holds a blank or a
    # character PowerShell gives a meaning (Windows 10 Enterprise,
    # C:\My Files\hosts.txt, Bob's, a (Semi-Annual Channel) edition).
    $quote = {
        param($s)
        if ($s -eq '' -or $s -match '[\s''"`$(){}\[\];,&|@#<>\u2018\u2019\u201A\u201B]') {
            return "'" + ($s -replace '[''\u2018\u2019\u201A\u201B]', '$0$0') + "'"
        }
        $s
    }
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.StartOffset -lt $cursorPosition } |
        ForEach-Object { $_.ToString() })
    $exe = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = @($words[1..($words.Count - 1)]) }
    # The word being completed is the last one typed, or a new empty one.
    if ($wordToComplete -ne '' -and $rest.Count -gt 0) { $rest = @($rest | Select-Object -SkipLast 1) }
    $typed = $wordToComplete.Trim("'", '"')
    # An empty argument must reach kmsctl as one: Windows PowerShell 5.1
    # drops "" when calling a native program, so send it quoted.
    $cur = $typed
    if ($cur -eq '') { $cur = '""' }
    $out = @(& $exe __complete @rest $cur 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = $out[-1]
    $lines = @()
    if ($out.Count -gt 1) { $lines = $out[0..($out.Count - 2)] }
    foreach ($line in $lines) {
        $value, $desc = $line -split "`t", 2
        if (-not $desc) { $desc = $value }
        [System.Management.Automation.CompletionResult]::new((& $quote $value), $value, 'ParameterValue', $desc)
    }
    if ($directive -eq ':files' -or $directive -eq ':dirs') {
        # A path given as --flag=PATH keeps its --flag= in front.
        $flag = ''
        $path = $typed
        if ($typed -match '^(-[^=]*=)(.*)$') { $flag = $Matches[1]; $path = $Matches[2] }
        Get-ChildItem -Path "$path*" -ErrorAction SilentlyContinue |
            Where-Object { $directive -eq ':files' -or $_.PSIsContainer } |
            ForEach-Object { [System.Management.Automation.CompletionResult]::new((& $quote ($flag + $_.FullName)), $_.Name, 'ProviderItem', $_.FullName) }
    }
}
