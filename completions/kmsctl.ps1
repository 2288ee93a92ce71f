# PowerShell completion for kmsctl. Install (current user):
#   kmsctl completion powershell | Out-File -Append -Encoding utf8 $PROFILE
Register-ArgumentCompleter -Native -CommandName kmsctl, kmsctl.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '') { $words = $words[0..($words.Count - 2)] }
    $exe = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = $words[1..($words.Count - 1)] }
    if ($wordToComplete -like '-*') { $rest += $wordToComplete }
    & $exe @rest --generate-bash-completion 2>$null |
        Where-Object { $_ -like "$wordToComplete*" } |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
