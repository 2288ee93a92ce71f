$ErrorActionPreference = 'Stop'
try {
    $r = 'Total', 'Failed', 'Unlicensed', 'Licensed', 'OOBGrace', 'OOTGrace', 'NonGenuineGrace', 'Notification' | ForEach-Object { "KeyManagementService${_}Requests" }
    $sp = @('Version', 'IsKeyManagementServiceMachine', 'KeyManagementServiceCurrentCount', 'RequiredClientCount', 'KeyManagementServiceProductKeyID', 'KeyManagementServiceListeningPort', 'KeyManagementServiceDnsPublishing', 'KeyManagementServiceLowPriority', 'KeyManagementServiceHostCaching', 'VLActivationInterval', 'VLRenewalInterval', 'ClientMachineID') + $r
    $pp = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseIsAddon', 'LicenseStatus', 'LicenseStatusReason', 'GracePeriodRemaining', 'IsKeyManagementServiceMachine', 'KeyManagementServiceCurrentCount', 'RequiredClientCount', 'KeyManagementServiceProductKeyID') + $r
    $s = Get-CimInstance -Query "SELECT $($sp -join ',') FROM SoftwareLicensingService" | Select-Object -Property $sp
    $p = @(Get-CimInstance -Query "SELECT $($pp -join ',') FROM SoftwareLicensingProduct WHERE PartialProductKey <> NULL" | Select-Object -Property $pp)
    $o = @{ v = 1; computer = $env:COMPUTERNAME; service = $s; products = $p }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
