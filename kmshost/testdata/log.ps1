$ErrorActionPreference = 'Stop'
$max = {{MAX}}
$since = {{SINCE_SECONDS}}
try {
    $f = @{ LogName = 'Key Management Service'; Id = 12288, 12289, 12290 }
    if ($since -gt 0) { $f.StartTime = (Get-Date).AddSeconds(-$since) }
    $e = @(try { Get-WinEvent -FilterHashtable $f -MaxEvents $max } catch { if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw } })
    $l = @($e | ForEach-Object { @{ t = $_.TimeCreated.ToUniversalTime().ToString('o'); id = $_.Id; d = @($_.Properties | ForEach-Object { [string]$_.Value }) } })
    $o = @{ v = 1; computer = $env:COMPUTERNAME; now = (Get-Date).ToUniversalTime().ToString('o'); events = $l }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
