$ErrorActionPreference = 'Stop'
$max = {{MAX}}
$since = {{SINCE_SECONDS}}
try {
    $f = @{ LogName = 'Key Management Service'; Id = 12290 }, @{ LogName = 'Application'; Id = 12288, 12289 }
    if ($since -gt 0) { $st = (Get-Date).AddSeconds(-$since); $f | ForEach-Object { $_.StartTime = $st } }
    $e = @(foreach ($q in $f) { try { Get-WinEvent -FilterHashtable $q -MaxEvents $max } catch { if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw } } })
    $e = @($e | Where-Object { $_.Id -eq 12290 -or $_.ProviderName -like 'Microsoft-Windows-Security-*' } | Sort-Object -Property TimeCreated -Descending | Select-Object -First $max)
    $l = @($e | ForEach-Object { @{ t = $_.TimeCreated.ToUniversalTime().ToString('o'); id = $_.Id; log = $_.LogName; d = @($_.Properties | ForEach-Object { [string]$_.Value }) } })
    $o = @{ v = 1; computer = $env:COMPUTERNAME; now = (Get-Date).ToUniversalTime().ToString('o'); events = $l }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
