$ErrorActionPreference = 'Stop'
try {
    $sp = @('Version', 'ClientMachineID', 'KeyManagementServiceMachine', 'KeyManagementServicePort', 'DiscoveredKeyManagementServiceMachineName', 'DiscoveredKeyManagementServiceMachinePort', 'VLActivationInterval', 'VLRenewalInterval')
    $pp = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseIsAddon', 'LicenseStatus', 'LicenseStatusReason', 'GracePeriodRemaining', 'KeyManagementServiceMachine', 'KeyManagementServicePort', 'DiscoveredKeyManagementServiceMachineName', 'DiscoveredKeyManagementServiceMachinePort', 'KeyManagementServiceProductKeyID', 'RequiredClientCount')
    $s = Get-CimInstance -Query "SELECT $($sp -join ',') FROM SoftwareLicensingService" | Select-Object -Property $sp
    $p = @(Get-CimInstance -Query "SELECT $($pp -join ',') FROM SoftwareLicensingProduct WHERE PartialProductKey <> NULL" | Select-Object -Property $pp)
    $e = @(try { Get-WinEvent -FilterHashtable @{ LogName = 'Application'; Id = 12288, 12289 } -MaxEvents 50 } catch { if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw } })
    $l = @($e | Where-Object { $_.ProviderName -like 'Microsoft-Windows-Security-*' } | ForEach-Object { @{ t = $_.TimeCreated.ToUniversalTime().ToString('o'); id = $_.Id; log = $_.LogName; d = @($_.Properties | ForEach-Object { [string]$_.Value }) } })
    $o = @{ v = 1; computer = $env:COMPUTERNAME; now = (Get-Date).ToUniversalTime().ToString('o'); service = $s; products = $p; events = $l }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
